// The strict HOCON structure check that runs before Akka's lenient parser: it accepts every shape Dash's own files
// use and points at the line and column of the first structural mistake.
using Dash.Actors.Settings;

namespace Dash.Actors.Tests.Settings;

public sealed class HoconSyntaxSpecs
{
    [Theory]
    [InlineData("dash.conf")]
    [InlineData("presets.conf")]
    [InlineData("cluster.conf")]
    [InlineData("simulate.conf")]
    public void Should_accept_every_hocon_file_dash_ships(string name) =>
        Assert.Null(HoconSyntax.FindInDocument(ConfigLoader.EmbeddedText(name)));

    [Theory]
    [InlineData("a = 1, b = [1, 2]\nc { d: \"x\" }\ne += 3\n")]
    [InlineData("{ a = 1 }")]
    [InlineData("a = \"\"\"multi\nline\"\"\"\nb = ${?HOME} /x\n")]
    [InlineData("include \"other.conf\"\na = 1 // comment\n")]
    [InlineData("a.b.c = 1e-5\nd = /tmp/x y\nf = [\n  { g = 1 },\n  { g = 2 }\n]\n")]
    public void Should_accept_well_formed_hocon(string text) => Assert.Null(HoconSyntax.FindInDocument(text));

    [Theory]
    [InlineData("a = [1,\n}\n", 2, 1)]
    [InlineData("a = 1 }\nb = 2\n", 1, 7)]
    [InlineData("a {\n  b = 1\n", 1, 3)]
    [InlineData("a = \"x\n", 1, 5)]
    [InlineData("a = 1\nb\n", 2, 1)]
    [InlineData("a = ${b\n", 1, 5)]
    public void Should_point_at_the_first_structural_mistake(string text, int line, int column)
    {
        var e = HoconSyntax.FindInDocument(text);
        Assert.NotNull(e);
        Assert.Equal((line, column), (e.Line, e.Column));
    }
}
