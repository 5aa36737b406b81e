// The coordinator's wire protocol: what it tells sampler nodes, and the reports its listener receives.
namespace Dash.Actors.Protocol;

/// <summary>Coordinator → every sampler node (cluster mode): the run is over; sampler nodes leave the cluster.</summary>
public sealed record RunEnded(string RunId, bool Finished) : IDashMessage;

/// <summary>How the coordinator's messages look on the wire (reports as JSON, readable in logs).</summary>
public static class TrainingCoordinatorProtocol
{
    internal static void Register(WireTable t) => t
        .Add<RunEnded>("run-ended.v1", (w, m) => { w.Write(m.RunId); w.Write(m.Finished); }, r => new RunEnded(r.ReadString(), r.ReadBoolean()))
        .Json<StepReport>("step-report.v1")
        .Json<EvalReport>("eval-report.v1")
        .Json<TrainingFinished>("training-finished.v1")
        .Json<TrainingFailed>("training-failed.v1")
        .Json<Pipeline.TrainingWarning>("training-warning.v1")
        .Json<SamplersChanged>("samplers-changed.v1");
}
