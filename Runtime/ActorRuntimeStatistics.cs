namespace PriceActors.Runtime;

/// <summary>A snapshot of the runtime's counters, for health and dashboards.</summary>
/// <param name="Activations">Actors active now.</param>
/// <param name="Activated">Activations started since the runtime started.</param>
/// <param name="Deactivated">Activations ended since the runtime started.</param>
/// <param name="ActivationFailures">Activations whose <c>OnActivateAsync</c> threw.</param>
/// <param name="MessagesProcessed">Messages and timer ticks handled.</param>
/// <param name="MessagesFailed">Handlers that threw (the actor kept going).</param>
/// <param name="MailboxFullWaits">Sends that had to wait for mailbox space.</param>
/// <param name="TimerTicksSkipped">Timer ticks dropped because the previous one was still queued or the mailbox was full.</param>
public sealed record ActorRuntimeStatistics(
    int Activations,
    long Activated,
    long Deactivated,
    long ActivationFailures,
    long MessagesProcessed,
    long MessagesFailed,
    long MailboxFullWaits,
    long TimerTicksSkipped);
