// Identifies the reasoning-task library; the task and verifier types live beside this file.
namespace Dash.Tasks;

/// <summary>Facts about this library that the host prints.</summary>
public static class TaskInfo
{
    /// <summary>The name of the built-in default task.</summary>
    public const string DefaultTaskName = "arithmetic";
}
