using Microsoft.Extensions.DependencyInjection;
using PriceActors.Runtime;
using PriceActors.Tests.Runtime.Support;
using PriceActors.Tests.Runtime.TestActors;

namespace PriceActors.Tests.Runtime;

public sealed class ActorRegistrationTests
{
    private interface IPlainActor : IActor;

    [Fact]
    public void Constructor_ContractWithActorType_UsesTheAttributesName()
    {
        var registration = new ActorRegistration(typeof(IRecorderActor), typeof(RecorderActor));

        Assert.Equal("recorder", registration.TypeName);
        Assert.Equal(typeof(IRecorderActor), registration.Contract);
        Assert.Equal(typeof(RecorderActor), registration.Implementation);
    }

    [Fact]
    public void Constructor_ContractWithoutActorType_UsesTheInterfaceNameLessI()
    {
        var registration = new ActorRegistration(typeof(IPlainActor), typeof(PlainActor));

        Assert.Equal("PlainActor", registration.TypeName);
    }

    [Fact]
    public void Constructor_ImplementationNotDerivedFromActor_ThrowsArgumentException()
    {
        var error = Assert.Throws<ArgumentException>(() => new ActorRegistration(typeof(IPlainActor), typeof(NotAnActor)));

        Assert.Equal("implementation", error.ParamName);
    }

    [Fact]
    public void Constructor_ImplementationNotImplementingTheContract_ThrowsArgumentException()
    {
        var error = Assert.Throws<ArgumentException>(() => new ActorRegistration(typeof(ICounterActor), typeof(PlainActor)));

        Assert.Equal("implementation", error.ParamName);
    }

    [Fact]
    public void Handlers_Implementation_ListsTheMessagesItHandles()
    {
        var registration = new ActorRegistration(typeof(ICounterActor), typeof(CounterActor));

        Assert.Equal(
            new[] { typeof(Add), typeof(GetCount), typeof(Increment) },
            registration.Handlers.MessageTypes.OrderBy(t => t.Name));
    }

    [Fact]
    public async Task Create_ServiceProvider_InjectsConstructorDependencies()
    {
        var probe = new ActorProbe();
        await using var services = new ServiceCollection().AddSingleton(probe).BuildServiceProvider();
        var registration = new ActorRegistration(typeof(IPlainActor), typeof(PlainActor));

        var first = Assert.IsType<PlainActor>(registration.Create(services));
        var second = Assert.IsType<PlainActor>(registration.Create(services));

        Assert.Same(probe, first.Probe);
        Assert.NotSame(first, second);
    }

    private sealed class PlainActor(ActorProbe probe) : Actor, IPlainActor
    {
        public ActorProbe Probe => probe;
    }

    private sealed class NotAnActor : IPlainActor;
}
