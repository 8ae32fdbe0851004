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
}
