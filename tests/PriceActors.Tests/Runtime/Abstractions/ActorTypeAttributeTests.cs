using PriceActors.Runtime;
using PriceActors.Tests.Runtime.TestActors;

namespace PriceActors.Tests.Runtime.Abstractions;

public sealed class ActorTypeAttributeTests
{
    [ActorType("named")]
    private interface INamedActor : IActor;

    private interface IUnnamedActor : IActor;

    [Fact]
    public void NameOf_ContractWithAttribute_ReturnsTheAttributesName()
    {
        Assert.Equal("named", ActorTypeAttribute.NameOf(typeof(INamedActor)));
    }

    [Fact]
    public void NameOf_ContractWithoutAttribute_ReturnsTheInterfaceNameLessI()
    {
        Assert.Equal("UnnamedActor", ActorTypeAttribute.NameOf(typeof(IUnnamedActor)));
    }

    [Fact]
    public void NameOf_DerivedContract_DoesNotInheritTheBaseName()
    {
        Assert.Equal("ticker", ActorTypeAttribute.NameOf(typeof(ITickerActor)));
        Assert.Equal("recorder", ActorTypeAttribute.NameOf(typeof(IRecorderActor)));
    }
}
