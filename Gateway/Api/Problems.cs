using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http.HttpResults;
using PriceActors.Grains;
using PriceActors.Grains.Instruments;

namespace PriceActors.Gateway.Api;

/// <summary>Problem bodies for bad input and unknown instruments.</summary>
internal static class Problems
{
    public static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Bad request");

    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    /// <summary>Validates an exchange and symbol (400) and looks them up in the catalog (404).</summary>
    public static bool TryResolve(
        IInstrumentCatalog catalog,
        string exchange,
        string symbol,
        out InstrumentKey instrument,
        [NotNullWhen(false)] out ProblemHttpResult? problem)
    {
        if (!InstrumentKey.TryCreate(exchange, symbol, out instrument, out var error))
        {
            problem = BadRequest(error);
            return false;
        }

        problem = catalog.Contains(instrument) ? null : NotFound($"Unknown instrument '{instrument}'. GET /instruments lists the known ones.");
        return problem is null;
    }

    /// <summary>Validates a symbol (400) and finds the exchanges that trade it (404 when none does).</summary>
    public static bool TryResolveSymbol(
        IInstrumentCatalog catalog,
        string symbol,
        out IReadOnlyList<InstrumentKey> instruments,
        [NotNullWhen(false)] out ProblemHttpResult? problem)
    {
        instruments = [];
        if (!InstrumentKey.TryCreate("any", symbol, out _, out var error))
        {
            problem = BadRequest(error);
            return false;
        }

        instruments = catalog.OfSymbol(symbol);
        problem = instruments.Count > 0 ? null : NotFound($"No exchange trades '{symbol.ToUpperInvariant()}'. GET /instruments lists the known instruments.");
        return problem is null;
    }
}
