// The samplers' mailbox in test-kit runs: an unbounded queue that lets WeightFaults drop or delay weight messages.
using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace Dash.TestKit;

/// <summary>
/// A mailbox type (configured as <see cref="ConfigPath"/>) whose queue behaves as the default unbounded one, except
/// that a weight message the actor system's <see cref="WeightFaults"/> plan names is dropped, or re-sent to the sampler later.
/// </summary>
public sealed class FaultMailbox(Settings settings, Config config) : MailboxType(settings, config), IProducesMessageQueue<FaultMailbox.Queue>
{
    /// <summary>Where the mailbox is declared in the actor system's configuration.</summary>
    public const string ConfigPath = "dash-testkit.fault-mailbox";

    /// <summary>The HOCON that declares it.</summary>
    public static Config Hocon => ConfigurationFactory.ParseString($"{ConfigPath}.mailbox-type = \"{typeof(FaultMailbox).AssemblyQualifiedName}\"");

    public override IMessageQueue Create(IActorRef owner, ActorSystem system) => new Queue(owner, system, FaultRegistry.For(system));

    /// <summary>The queue: <see cref="UnboundedMessageQueue"/> behind a fault check.</summary>
    public sealed class Queue(IActorRef sampler, ActorSystem system, FaultRegistry faults) : IMessageQueue, IUnboundedMessageQueueSemantics
    {
        private readonly UnboundedMessageQueue _inner = new();

        public bool HasMessages => _inner.HasMessages;

        public int Count => _inner.Count;

        public void Enqueue(IActorRef receiver, Envelope envelope)
        {
            if (faults.Weights?.Take(sampler, envelope.Message) is { } fault)
            {
                if (fault.Delay is { } delay) system.Scheduler.ScheduleTellOnce(delay, receiver, envelope.Message, envelope.Sender);
                return;
            }
            _inner.Enqueue(receiver, envelope);
        }

        public bool TryDequeue(out Envelope envelope) => _inner.TryDequeue(out envelope);

        public void CleanUp(IActorRef owner, IMessageQueue deadletters) => _inner.CleanUp(owner, deadletters);
    }
}
