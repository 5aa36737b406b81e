// A non-fatal problem the coordinator reports to its listener.
using Dash.Actors.Protocol;

namespace Dash.Actors.Pipeline;

/// <summary>A non-fatal problem the user should see (for example a checkpoint fallback).</summary>
public sealed record TrainingWarning(string Message) : IDashMessage;
