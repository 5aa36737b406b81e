// What every simulated actor shares: the clock, the cost model and the metrics of one simulation.
namespace Dash.Actors.Simulation;

/// <param name="Clock">Virtual time; replies are scheduled on it.</param>
/// <param name="Cost">How long work takes.</param>
/// <param name="Metrics">Where busy intervals and step boundaries are recorded.</param>
/// <param name="MaxNewTokens">The longest completion a sampler may produce (<c>dash.sampling.max-new-tokens</c>).</param>
public sealed record SimContext(VirtualClock Clock, CostModel Cost, SimMetrics Metrics, int MaxNewTokens);
