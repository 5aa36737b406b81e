// Specifications of the simulation loop: one thread, exact quiescence, work from outside counted.
using Akka.Dispatch;
using Dash.Actors.Simulation;

namespace Dash.Actors.Tests.Simulation;

public sealed class SimLoopSpecs
{
    private sealed class Work(Action action) : IRunnable
    {
        public void Run() => action();

        public void Execute() => action();
    }

    [Fact]
    public void Should_run_work_in_order_on_one_thread_and_be_quiescent_only_when_all_is_done()
    {
        using var loop = new SimLoop();
        var seen = new List<int>();
        var threads = new HashSet<int>();
        for (var i = 0; i < 100; i++)
        {
            var n = i;
            loop.Execute(new Work(() =>
            {
                threads.Add(Environment.CurrentManagedThreadId);
                if (n % 10 == 0) loop.Execute(new Work(() => seen.Add(1000 + n))); // Work that makes more work.
                seen.Add(n);
            }));
        }
        loop.WaitQuiescent();
        Assert.Equal(110, seen.Count);
        Assert.Single(threads);
        Assert.Equal(Enumerable.Range(0, 100), seen.Where(x => x < 1000));
    }

    [Fact]
    public void Should_count_work_that_arrives_from_a_third_thread()
    {
        using var loop = new SimLoop();
        loop.Watch();
        loop.Execute(new Work(() => { }));
        var other = new Thread(() => loop.Execute(new Work(() => { })));
        other.Start();
        other.Join();
        loop.WaitQuiescent();
        Assert.Equal(1, loop.ForeignWork);
    }
}
