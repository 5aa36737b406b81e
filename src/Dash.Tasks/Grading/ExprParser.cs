// A recursive-descent parser from LaTeX or plain maths (2x^2, \frac{a}{b}, \sqrt[3]{x}, sin(x)) to an expression tree.
using System.Numerics;

namespace Dash.Tasks.Grading;

/// <summary>
/// Parses one scalar expression. It checks the budget at every primary and limits nesting depth, so hostile input
/// ends with <see cref="BudgetExceededException"/> or a failed parse rather than a hang or a stack overflow.
/// </summary>
public sealed partial class ExprParser
{
    private static readonly HashSet<string> Functions =
    [
        "sin", "cos", "tan", "sec", "csc", "cot", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
        "ln", "log", "lg", "exp", "sqrt", "abs",
    ];

    private static readonly HashSet<string> NotPrimary =
    [
        "cdot", "times", "div", "pm", "mp", "le", "leq", "ge", "geq", "lt", "gt", "ne", "neq", "approx", "in",
        "cup", "cap", "rfloor", "rceil", "right", "to", "quad", "qquad", "setminus", "equiv", "sim", "mid",
    ];

    private static readonly HashSet<string> TextCommands =
        ["text", "textbf", "textit", "textnormal", "textrm", "mathrm", "mathbf", "mathit", "mbox", "operatorname", "mathsf"];

    // Trees stay shallow enough to evaluate recursively: long operator chains are left-deep.
    private const int MaxOperations = 512;

    private readonly string _s;
    private readonly Budget _budget;
    private int _p;
    private int _depth;
    private int _absDepth;
    private int _operations;

    private ExprParser(string s, Budget budget)
    {
        _s = s;
        _budget = budget;
    }

    /// <summary>Parses the whole string as one expression, or returns null when it is not one.</summary>
    public static Expr? TryParse(string s, Budget budget) => TryParse(s, budget, 0);

    private static Expr? TryParse(string s, Budget budget, int depth)
    {
        if (string.IsNullOrWhiteSpace(s)) return null;
        var parser = new ExprParser(s, budget) { _depth = depth };
        try
        {
            var e = parser.ParseSum();
            parser.SkipSpace();
            return parser._p == s.Length ? e : null;
        }
        catch (SyntaxError)
        {
            return null;
        }
    }

    private Expr ParseSum()
    {
        var left = ParseTerm();
        while (true)
        {
            SkipSpace();
            if (Peek() == '+') { _p++; left = new BinaryExpr('+', left, ParseTerm()); }
            else if (Peek() == '-') { _p++; left = new BinaryExpr('-', left, ParseTerm()); }
            else return left;
        }
    }

    private Expr ParseTerm()
    {
        var left = ParseUnary();
        while (true)
        {
            _budget.Step();
            if (++_operations > MaxOperations) throw new BudgetExceededException($"expression with more than {MaxOperations} operations");
            SkipSpace();
            var c = Peek();
            if (c == '*') { _p++; left = new BinaryExpr('*', left, ParseUnary()); }
            else if (c == '/') { _p++; left = new BinaryExpr('/', left, ParseUnary()); }
            else if (TryCommand("cdot") || TryCommand("times")) left = new BinaryExpr('*', left, ParseUnary());
            else if (TryCommand("div")) left = new BinaryExpr('/', left, ParseUnary());
            else if (StartsPrimary())
            {
                var right = ParsePower();
                left = IsMixedNumber(left, right) ? MixedNumber(left, right) : new BinaryExpr('*', left, right);
            }
            else return left;
        }
    }

    // 2\frac{1}{4} is the mixed number 2¼ when a whole number is followed directly by a fraction of whole numbers.
    private static bool IsMixedNumber(Expr left, Expr right) =>
        left is NumberExpr { Denominator.IsOne: true } or NegExpr { Operand: NumberExpr { Denominator.IsOne: true } }
        && right is BinaryExpr { Op: '/', Left: NumberExpr { Denominator.IsOne: true }, Right: NumberExpr { Denominator.IsOne: true } };

    private static Expr MixedNumber(Expr whole, Expr fraction) => whole is NegExpr negative
        ? new NegExpr(new BinaryExpr('+', negative.Operand, fraction))
        : new BinaryExpr('+', whole, fraction);

    private Expr ParseUnary()
    {
        SkipSpace();
        Enter();
        try
        {
            if (Peek() == '-') { _p++; return new NegExpr(ParseUnary()); }
            if (Peek() == '+') { _p++; return ParseUnary(); }
            return ParsePower();
        }
        finally { _depth--; }
    }

    private Expr ParsePower()
    {
        var b = ParsePostfix();
        SkipSpace();
        if (Peek() != '^') return b;
        _p++;
        return new BinaryExpr('^', b, ParseExponent());
    }

    private Expr ParseExponent()
    {
        SkipSpace();
        Enter();
        try
        {
            var c = Peek();
            if (c == '-') { _p++; return new NegExpr(ParseExponent()); }
            if (c == '+') { _p++; return ParseExponent(); }
            if (c == '{') return ParsePower();
            if (char.IsAsciiDigit(c)) return ParseNumber();
            return ParsePower();
        }
        finally { _depth--; }
    }

    private Expr ParsePostfix()
    {
        var e = ParsePrimary();
        while (true)
        {
            SkipSpace();
            if (Peek() == '!') { _p++; e = new FuncExpr("fact", e); }
            else return e;
        }
    }

    private Expr ParsePrimary()
    {
        _budget.Step();
        SkipSpace();
        Enter();
        try
        {
            var c = Peek();
            if (char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(PeekAt(1)))) return ParseNumber();
            switch (c)
            {
                case '(': _p++; return Close(ParseSum(), ')');
                case '[': _p++; return Close(ParseSum(), ']');
                case '{': _p++; return Close(ParseSum(), '}');
                case '|':
                    _p++;
                    _absDepth++;
                    var inner = Close(ParseSum(), '|');
                    _absDepth--;
                    return new FuncExpr("abs", inner);
                case '\\': return ParseCommand();
            }
            if (char.IsAsciiLetter(c)) return ParseIdentifier();
            throw new SyntaxError();
        }
        finally { _depth--; }
    }

    private Expr ParseIdentifier()
    {
        var start = _p;
        while (char.IsAsciiLetter(Peek())) _p++;
        var word = _s[start.._p];
        if (word.Length > 1)
        {
            if (Functions.Contains(word)) return ParseFunction(word);
            if (word is "pi") return new ConstExpr("pi");
            if (word is "inf" or "infty" or "infinity") return new ConstExpr("inf");
            _p = start + 1;
        }
        var name = word[..1];
        if (Peek() == '_') return new VarExpr(name + "_" + ReadSubscript());
        return name switch
        {
            "e" => new ConstExpr("e"),
            "i" => new ConstExpr("i"),
            _ => new VarExpr(name),
        };
    }

    private NumberExpr ParseNumber()
    {
        var start = _p;
        while (char.IsAsciiDigit(Peek())) _p++;
        var whole = _s[start.._p];
        var fraction = "";
        if (Peek() == '.' && char.IsAsciiDigit(PeekAt(1)))
        {
            var f = ++_p;
            while (char.IsAsciiDigit(Peek())) _p++;
            fraction = _s[f.._p];
        }
        var exponent = 0;
        if (Peek() is 'e' or 'E' && (char.IsAsciiDigit(PeekAt(1)) || (PeekAt(1) is '-' or '+' && char.IsAsciiDigit(PeekAt(2)))))
        {
            var e = ++_p;
            if (Peek() is '-' or '+') _p++;
            while (char.IsAsciiDigit(Peek())) _p++;
            if (!int.TryParse(_s.AsSpan(e, _p - e), out exponent) || Math.Abs(exponent) > 400) throw new SyntaxError();
        }
        if (whole.Length + fraction.Length > 2000) throw new SyntaxError();
        var numerator = BigInteger.Parse(whole.Length + fraction.Length == 0 ? "0" : whole + fraction, System.Globalization.CultureInfo.InvariantCulture);
        var denominator = BigInteger.Pow(10, fraction.Length);
        if (exponent > 0) numerator *= BigInteger.Pow(10, exponent);
        if (exponent < 0) denominator *= BigInteger.Pow(10, -exponent);
        return new NumberExpr(numerator, denominator, _s[start.._p]);
    }

    private string ReadSubscript()
    {
        _p++;
        SkipSpace();
        if (Peek() == '{')
        {
            var close = MatchingBrace(_p);
            var text = _s[(_p + 1)..close];
            _p = close + 1;
            return new string(text.Where(ch => !char.IsWhiteSpace(ch)).ToArray());
        }
        var start = _p;
        if (char.IsAsciiDigit(Peek())) { while (char.IsAsciiDigit(Peek())) _p++; }
        else if (char.IsAsciiLetter(Peek())) _p++;
        else throw new SyntaxError();
        return _s[start.._p];
    }

    private bool StartsPrimary()
    {
        var c = Peek();
        if (char.IsAsciiDigit(c) || char.IsAsciiLetter(c) || c is '(' or '{') return true;
        if (c == '|') return _absDepth == 0;
        if (c != '\\') return false;
        var start = _p + 1;
        var end = start;
        while (end < _s.Length && char.IsAsciiLetter(_s[end])) end++;
        if (end == start) return false;
        return !NotPrimary.Contains(_s[start..end]);
    }

    private bool TryCommand(string name)
    {
        if (_p + name.Length >= _s.Length || _s[_p] != '\\' || string.CompareOrdinal(_s, _p + 1, name, 0, name.Length) != 0) return false;
        var after = _p + 1 + name.Length;
        if (after < _s.Length && char.IsAsciiLetter(_s[after])) return false;
        _p = after;
        return true;
    }

    private int MatchingBrace(int open)
    {
        var depth = 0;
        for (var i = open; i < _s.Length; i++)
        {
            _budget.Step();
            if (_s[i] == '\\') { i++; continue; }
            if (_s[i] == '{') depth++;
            else if (_s[i] == '}' && --depth == 0) return i;
        }
        throw new SyntaxError();
    }

    private Expr Close(Expr e, char close)
    {
        SkipSpace();
        if (Peek() != close) throw new SyntaxError();
        _p++;
        return e;
    }

    private Expr CloseCommand(Expr e, string command)
    {
        SkipSpace();
        if (!TryCommand(command)) throw new SyntaxError();
        return e;
    }

    private void Enter()
    {
        if (++_depth > _budget.MaxDepth) throw new BudgetExceededException($"nesting deeper than {_budget.MaxDepth} levels");
    }

    private void SkipSpace()
    {
        while (_p < _s.Length && char.IsWhiteSpace(_s[_p])) _p++;
    }

    private char Peek() => _p < _s.Length ? _s[_p] : '\0';

    private char PeekAt(int offset) => _p + offset < _s.Length ? _s[_p + offset] : '\0';

    private sealed class SyntaxError : Exception;
}
