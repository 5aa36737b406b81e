// Proves the three stacks load together in one process: TorchSharp, Akka actors, Akka.Persistence.Sql on SQLite.
using Akka.Actor;
using Akka.Persistence;
using Dash.Actors.Persistence;
using static TorchSharp.torch;

namespace Dash.Actors.Tests.Smoke;

public sealed class StackSmokeSpecs : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dash-smoke-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed class Echo : ReceiveActor
    {
        public Echo() => Receive<float[]>(xs =>
        {
            using var scope = NewDisposeScope();
            Sender.Tell(tensor(xs).sum().item<float>());
        });
    }

    private sealed class Counter : ReceivePersistentActor
    {
        private int _total;
        public override string PersistenceId => "smoke-counter";

        public Counter()
        {
            Recover<int>(n => _total += n);
            Command<int>(n => Persist(n, e => { _total += e; Sender.Tell(_total); }));
            Command<string>(_ => Sender.Tell(_total));
        }
    }

    [Fact]
    public async Task Should_sum_a_tensor_in_an_actor_and_recover_a_persisted_event_from_sqlite()
    {
        var journal = new SqliteJournal(Path.Combine(_dir, "journal.db"));
        journal.Verify();

        using (var system = ActorSystem.Create("smoke", journal.ToHocon()))
        {
            var echo = system.ActorOf(Props.Create(() => new Echo()));
            Assert.Equal(6f, await echo.Ask<float>(new float[] { 1, 2, 3 }, TimeSpan.FromSeconds(10)));

            var counter = system.ActorOf(Props.Create(() => new Counter()));
            Assert.Equal(5, await counter.Ask<int>(5, TimeSpan.FromSeconds(20)));
            Assert.Equal(12, await counter.Ask<int>(7, TimeSpan.FromSeconds(20)));
            await system.Terminate();
        }

        using (var again = ActorSystem.Create("smoke", journal.ToHocon()))
        {
            var counter = again.ActorOf(Props.Create(() => new Counter()));
            Assert.Equal(12, await counter.Ask<int>("total", TimeSpan.FromSeconds(20)));
            await again.Terminate();
        }
    }
}
