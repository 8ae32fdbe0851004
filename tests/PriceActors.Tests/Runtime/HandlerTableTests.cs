using PriceActors.Runtime;

namespace PriceActors.Tests.Runtime;

public sealed class HandlerTableTests
{
    private interface IShapeChanged;

    [Fact]
    public void MessageTypes_Implementation_ListsEveryHandledMessage()
    {
        var table = new HandlerTable(typeof(Handlers));

        Assert.Equal(
            new[] { typeof(Ping), typeof(Echo), typeof(BaseEvent), typeof(IShapeChanged) }.OrderBy(t => t.Name),
            table.MessageTypes.OrderBy(t => t.Name));
    }

    [Fact]
    public async Task Find_OneWayMessage_InvokesItsHandlerAndReturnsNull()
    {
        var table = new HandlerTable(typeof(Handlers));
        var handlers = new Handlers();

        var result = await table.Find(typeof(Ping))!(handlers, new Ping());

        Assert.Null(result);
        Assert.Equal(["ping"], handlers.Seen);
    }

    [Fact]
    public async Task Find_Request_ReturnsTheHandlersReply()
    {
        var table = new HandlerTable(typeof(Handlers));

        var result = await table.Find(typeof(Echo))!(new Handlers(), new Echo("hello"));

        Assert.Equal("hello!", result);
    }

    [Fact]
    public async Task Find_DerivedMessageType_UsesTheBaseTypesHandler()
    {
        var table = new HandlerTable(typeof(Handlers));
        var handlers = new Handlers();

        var handler = table.Find(typeof(DerivedEvent));
        await handler!(handlers, new DerivedEvent());

        Assert.Equal(["base DerivedEvent"], handlers.Seen);
        Assert.Same(handler, table.Find(typeof(DerivedEvent)));
    }

    [Fact]
    public async Task Find_MessageImplementingAHandledInterface_UsesTheInterfacesHandler()
    {
        var table = new HandlerTable(typeof(Handlers));
        var handlers = new Handlers();

        await table.Find(typeof(Resized))!(handlers, new Resized());

        Assert.Equal(["shape Resized"], handlers.Seen);
    }

    [Fact]
    public void Find_UnhandledMessageType_ReturnsNull()
    {
        var table = new HandlerTable(typeof(Handlers));

        Assert.Null(table.Find(typeof(string)));
        Assert.Null(table.Find(typeof(string)));
    }

    [Fact]
    public async Task Find_HandlerThrows_TheReturnedTaskFaults()
    {
        var table = new HandlerTable(typeof(Handlers));

        var invocation = table.Find(typeof(Echo))!(new Handlers(), new Echo("throw")).AsTask();

        await Assert.ThrowsAsync<InvalidOperationException>(() => invocation);
    }

    private sealed record Ping;

    private sealed record Echo(string Text) : IRequest<string>;

    private record BaseEvent;

    private sealed record DerivedEvent : BaseEvent;

    private sealed record Resized : IShapeChanged;

    private sealed class Handlers : IHandle<Ping>, IHandle<Echo, string>, IHandle<BaseEvent>, IHandle<IShapeChanged>
    {
        public List<string> Seen { get; } = [];

        public ValueTask HandleAsync(Ping message)
        {
            Seen.Add("ping");
            return ValueTask.CompletedTask;
        }

        public ValueTask<string> HandleAsync(Echo request) =>
            request.Text == "throw" ? throw new InvalidOperationException("echo failed") : ValueTask.FromResult(request.Text + "!");

        public ValueTask HandleAsync(BaseEvent message)
        {
            Seen.Add($"base {message.GetType().Name}");
            return ValueTask.CompletedTask;
        }

        public ValueTask HandleAsync(IShapeChanged message)
        {
            Seen.Add($"shape {message.GetType().Name}");
            return ValueTask.CompletedTask;
        }
    }
}
