using System.Runtime.InteropServices;

namespace PriceActors.Bench;

/// <summary>
/// Ctrl+C or SIGTERM cancels <see cref="Token"/>, so that the benchmark stops the processes it started; a second one
/// ends the benchmark at once (<see cref="BenchProcess"/> still kills them as it exits).
/// </summary>
internal sealed class BenchInterrupt : IDisposable
{
    private readonly CancellationTokenSource cancel = new();
    private readonly PosixSignalRegistration[] registrations;

    public BenchInterrupt() =>
        registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle)];

    public CancellationToken Token => cancel.Token;

    public bool Interrupted => cancel.IsCancellationRequested;

    public void Dispose()
    {
        foreach (var registration in registrations)
        {
            registration.Dispose();
        }

        cancel.Dispose();
    }

    private void Handle(PosixSignalContext context)
    {
        if (cancel.IsCancellationRequested)
        {
            return;
        }

        context.Cancel = true;
        Console.Error.WriteLine($"{context.Signal}: stopping the processes the benchmark started (again to kill them)");
        cancel.Cancel();
    }
}
