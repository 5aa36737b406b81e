// The LaTeX half of the expression parser: commands (\frac, \sqrt, \binom, \log_b), functions and their arguments.
namespace Dash.Tasks.Grading;

/// <summary>Command, function and argument parsing for <see cref="ExprParser"/>.</summary>
public sealed partial class ExprParser
{
    private Expr ParseCommand()
    {
        _p++;
        var start = _p;
        while (char.IsAsciiLetter(Peek())) _p++;
        if (_p == start)
        {
            // \, \! \; and "\ " are spacing; anything else is not maths this parser knows.
            var c = Peek();
            if (c is ',' or '!' or ';' or ':' or ' ') { _p++; return ParsePrimary(); }
            throw new SyntaxError();
        }
        var name = _s[start.._p];
        switch (name)
        {
            case "frac" or "dfrac" or "tfrac" or "cfrac":
                {
                    var num = ParseArgument();
                    return new BinaryExpr('/', num, ParseArgument());
                }
            case "binom" or "dbinom" or "tbinom":
                {
                    var n = ParseArgument();
                    var k = ParseArgument();
                    var denominator = new BinaryExpr('*', new FuncExpr("fact", k), new FuncExpr("fact", new BinaryExpr('-', n, k)));
                    return new BinaryExpr('/', new FuncExpr("fact", n), denominator);
                }
            case "sqrt":
                {
                    SkipSpace();
                    if (Peek() != '[') return new FuncExpr("sqrt", ParseArgument());
                    _p++;
                    var index = Close(ParseSum(), ']');
                    return new RootExpr(index, ParseArgument());
                }
            case "pi": return new ConstExpr("pi");
            case "infty" or "infin": return new ConstExpr("inf");
            case "lfloor": return new FuncExpr("floor", CloseCommand(ParseSum(), "rfloor"));
            case "lceil": return new FuncExpr("ceil", CloseCommand(ParseSum(), "rceil"));
            case "left" or "right" or "big" or "Big" or "bigl" or "bigr" or "Bigl" or "Bigr": return ParsePrimary();
            case "quad" or "qquad": return ParsePrimary();
        }
        if (Functions.Contains(name)) return ParseFunction(name);
        if (TextCommands.Contains(name)) return ParseText();
        if (NotPrimary.Contains(name)) throw new SyntaxError();
        if (Peek() == '{') throw new SyntaxError();
        return Peek() == '_' ? new VarExpr(name + "_" + ReadSubscript()) : new VarExpr(name);
    }

    private Expr ParseFunction(string name)
    {
        Expr? power = null;
        Expr? logBase = null;
        SkipSpace();
        if (Peek() == '_' && name is "log") { _p++; logBase = ParseArgument(); SkipSpace(); }
        if (Peek() == '^') { _p++; power = ParseExponent(); SkipSpace(); }
        var inverse = power is NegExpr { Operand: NumberExpr { Text: "1" } } && name is "sin" or "cos" or "tan";
        SkipSpace();
        var arg = Peek() is '(' or '{' or '[' or '|' ? ParsePrimary() : ParseBareArgument();
        Expr result = name switch
        {
            _ when inverse => new FuncExpr("arc" + name, arg),
            "log" when logBase is not null => new LogExpr(logBase, arg),
            "lg" => new LogExpr(new NumberExpr(10, 1, "10"), arg),
            "log" => new FuncExpr("ln", arg),
            _ => new FuncExpr(name, arg),
        };
        return power is not null && !inverse ? new BinaryExpr('^', result, power) : result;
    }

    // \sin 2x is sin(2x): a bare argument takes the implicit product that follows, up to an operator or a function.
    private Expr ParseBareArgument()
    {
        var arg = ParsePower();
        while (true)
        {
            SkipSpace();
            var c = Peek();
            if (!(char.IsAsciiDigit(c) || char.IsAsciiLetter(c) || (c == '\\' && StartsPrimary() && !StartsFunction()))) return arg;
            arg = new BinaryExpr('*', arg, ParsePower());
        }
    }

    private bool StartsFunction()
    {
        var end = _p + 1;
        while (end < _s.Length && char.IsAsciiLetter(_s[end])) end++;
        var name = _s[(_p + 1)..end];
        return Functions.Contains(name) || name is "frac" or "dfrac" or "tfrac" or "cfrac" or "sqrt";
    }

    private Expr ParseText()
    {
        SkipSpace();
        if (Peek() != '{') throw new SyntaxError();
        var close = MatchingBrace(_p);
        var content = _s[(_p + 1)..close].Trim();
        _p = close + 1;
        if (content.Length == 0) return ParsePrimary();
        var inner = TryParse(content, _budget, _depth + 1);
        if (inner is not null && content.All(ch => !char.IsAsciiLetter(ch))) return inner;
        if (content is "e") return new ConstExpr("e");
        if (content.All(char.IsAsciiLetterOrDigit)) return new VarExpr(content);
        throw new SyntaxError();
    }

    private Expr ParseArgument()
    {
        SkipSpace();
        var c = Peek();
        if (c == '{') { _p++; return Close(ParseSum(), '}'); }
        if (char.IsAsciiDigit(c)) { _p++; return new NumberExpr(c - '0', 1, c.ToString()); }
        if (char.IsAsciiLetter(c)) { _p++; return c == 'e' ? new ConstExpr("e") : new VarExpr(c.ToString()); }
        if (c == '\\') return ParsePrimary();
        throw new SyntaxError();
    }
}
