// Generates one arithmetic problem of a given level, with a short step-by-step solution ending in \boxed{answer}.
using Dash.Tasks.Sampling;

namespace Dash.Tasks.Arithmetic;

/// <summary>
/// Pure generation: (level, random stream) → (question, solution, answer). Printable ASCII only; questions stay within
/// about 40 characters and solutions within about 60, for a small character-level model.
/// </summary>
public static class ArithmeticGenerator
{
    private static readonly string[] Templates = ["What is {0}?", "Compute {0}.", "Calculate {0}.", "Evaluate {0}."];

    private abstract record Node;

    private sealed record Lit(long Value) : Node;

    private sealed record Op(char Symbol, Node Left, Node Right) : Node;

    /// <summary>
    /// One generated problem with three reference solutions: <paramref name="Terse"/> states the result at once,
    /// <paramref name="Worked"/> works it out step by step (digit by digit for two-digit sums and differences), and
    /// <paramref name="Human"/> solves it another way a person would (tens first, then ones) — a style the warm-up never
    /// shows, for the SFT baseline.
    /// </summary>
    public readonly record struct Generated(string Question, string Worked, string Answer, string Terse, string Human)
    {
        /// <summary>The step-by-step solution.</summary>
        public string Solution => Worked;
    }

    /// <summary>Generates a problem of <paramref name="level"/> (1..6) from <paramref name="rng"/>.</summary>
    public static Generated Generate(int level, ref SplitMix64 rng)
    {
        if (level == 6) return Fraction(ref rng);
        var expression = level switch
        {
            1 => new Op('+', new Lit(rng.NextInt(1, 9)), new Lit(rng.NextInt(1, 9))),
            2 => new Op('+', new Lit(rng.NextInt(10, 99)), new Lit(rng.NextInt(10, 99))),
            3 => Subtraction(ref rng),
            4 => MultiStep(ref rng, negatives: false),
            5 => MultiStep(ref rng, negatives: true),
            _ => throw new ArgumentOutOfRangeException(nameof(level), level, "levels are 1..6"),
        };
        var template = Templates[rng.NextInt(Templates.Length)];
        var question = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, Render(expression, leftmost: true));
        var steps = new List<string>();
        var answer = Solve(expression, steps);
        var boxed = $"\\boxed{{{answer}}}";
        var terse = string.Join(" ", steps) + " " + boxed;
        var text = answer.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (level is 2 or 3 && expression is Op { Left: Lit a, Right: Lit b } two)
            return new Generated(question, ColumnSteps(two.Symbol, a.Value, b.Value) + " " + boxed, text, terse, TensThenOnes(two.Symbol, a.Value, b.Value) + " " + boxed);
        return new Generated(question, terse, text, terse, terse);
    }

    // Column arithmetic on two-digit numbers: "Ones: 7+5=12. Tens: 2+4+1=7." or "Ones: 12-5=7. Tens: 7-1-4=2.".
    private static string ColumnSteps(char symbol, long a, long b)
    {
        var (a1, a0, b1, b0) = (a / 10, a % 10, b / 10, b % 10);
        if (symbol == '+')
        {
            var ones = a0 + b0;
            return ones >= 10 ? $"Ones: {a0}+{b0}={ones}. Tens: {a1}+{b1}+1={a1 + b1 + 1}." : $"Ones: {a0}+{b0}={ones}. Tens: {a1}+{b1}={a1 + b1}.";
        }
        return a0 >= b0 ? $"Ones: {a0}-{b0}={a0 - b0}. Tens: {a1}-{b1}={a1 - b1}." : $"Ones: {a0 + 10}-{b0}={a0 + 10 - b0}. Tens: {a1}-1-{b1}={a1 - 1 - b1}.";
    }

    // A person's way: the tens of the second number first, then its ones: "23+40=63, 63+5=68.".
    private static string TensThenOnes(char symbol, long a, long b)
    {
        var tens = symbol == '+' ? a + b / 10 * 10 : a - b / 10 * 10;
        var result = symbol == '+' ? tens + b % 10 : tens - b % 10;
        return $"{a}{symbol}{b / 10 * 10}={tens}, {tens}{symbol}{b % 10}={result}.";
    }

    private static Op Subtraction(ref SplitMix64 rng)
    {
        var a = rng.NextInt(10, 99);
        var b = rng.NextInt(10, 99);
        if (rng.NextInt(3) == 0) return new Op('+', new Lit(a), new Lit(b));
        return new Op('-', new Lit(Math.Max(a, b)), new Lit(Math.Min(a, b)));
    }

    // Two operations over three operands, with precedence or parentheses deciding the order.
    private static Op MultiStep(ref SplitMix64 rng, bool negatives)
    {
        while (true)
        {
            var a = Operand(ref rng, 1, 20, negatives);
            var b = Operand(ref rng, 1, 20, negatives);
            var c = Operand(ref rng, 2, 9, negatives);
            Op e = rng.NextInt(6) switch
            {
                0 => new Op('+', a, new Op('*', b, c)),
                1 => new Op('-', a, new Op('*', b, c)),
                2 => new Op('+', new Op('*', a, c), b),
                3 => new Op('-', new Op('*', a, c), b),
                4 => new Op('*', new Op('+', a, b), c),
                _ => new Op('*', new Op('-', a, b), c),
            };
            var value = Value(e);
            if (negatives ? value < 0 || HasNegative(e) : value >= 0) return e;
        }
    }

    private static Lit Operand(ref SplitMix64 rng, int min, int max, bool negatives)
    {
        var v = rng.NextInt(min, max);
        return new Lit(negatives && rng.NextInt(3) == 0 ? -v : v);
    }

    private static bool HasNegative(Node n) => n switch
    {
        Lit l => l.Value < 0,
        Op o => HasNegative(o.Left) || HasNegative(o.Right),
        _ => false,
    };

    private static long Value(Node n) => n switch
    {
        Lit l => l.Value,
        Op { Symbol: '+' } o => Value(o.Left) + Value(o.Right),
        Op { Symbol: '-' } o => Value(o.Left) - Value(o.Right),
        Op o => Value(o.Left) * Value(o.Right),
        _ => 0,
    };

    // Writes the expression with the parentheses precedence needs; a negative number after the start is "(-7)".
    private static string Render(Node n, bool leftmost) => n switch
    {
        Lit l => l.Value < 0 && !leftmost ? $"({l.Value})" : l.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Op o => RenderChild(o.Left, o, isRight: false, leftmost) + o.Symbol + RenderChild(o.Right, o, isRight: true, false),
        _ => "",
    };

    private static string RenderChild(Node child, Op parent, bool isRight, bool leftmost)
    {
        var needs = child is Op c && (parent.Symbol == '*' && c.Symbol != '*' || isRight && parent.Symbol == '-' && c.Symbol != '*');
        return needs ? "(" + Render(child, true) + ")" : Render(child, leftmost);
    }

    // Evaluates innermost operations first, writing "l op r=v." for each.
    private static long Solve(Node n, List<string> steps)
    {
        if (n is Lit l) return l.Value;
        var o = (Op)n;
        var left = Solve(o.Left, steps);
        var right = Solve(o.Right, steps);
        var value = Value(new Op(o.Symbol, new Lit(left), new Lit(right)));
        steps.Add($"{Render(new Lit(left), true)}{o.Symbol}{Render(new Lit(right), false)}={value}.");
        return value;
    }

    private static Generated Fraction(ref SplitMix64 rng)
    {
        var b = rng.NextInt(2, 9);
        var d = rng.NextInt(2, 9);
        var a = rng.NextInt(1, b - 1 < 1 ? 1 : b - 1);
        var c = rng.NextInt(1, d - 1 < 1 ? 1 : d - 1);
        var plus = rng.NextInt(2) == 0;
        var symbol = plus ? '+' : '-';
        var l = Lcm(b, d);
        var (a2, c2) = (a * (l / b), c * (l / d));
        var numerator = plus ? a2 + c2 : a2 - c2;
        var (rn, rd) = Reduce(numerator, l);
        var answer = rd == 1 ? rn.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{rn}/{rd}";
        var template = Templates[rng.NextInt(Templates.Length)];
        var question = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, $"{a}/{b}{symbol}{c}/{d}");
        var sb = new System.Text.StringBuilder($"{a}/{b}{symbol}{c}/{d}=");
        if (b != l || d != l) sb.Append($"{a2}/{l}{symbol}{c2}/{l}=");
        sb.Append($"{numerator}/{l}");
        if (rd != l) sb.Append('=').Append(answer);
        sb.Append($". \\boxed{{{answer}}}");
        return new Generated(question, sb.ToString(), answer, sb.ToString(), sb.ToString());
    }

    private static (long, long) Reduce(long n, long d)
    {
        var g = Gcd(Math.Abs(n), d);
        return g == 0 ? (n, d) : (n / g, d / g);
    }

    private static long Gcd(long a, long b) => b == 0 ? a : Gcd(b, a % b);

    private static long Lcm(long a, long b) => a / Gcd(a, b) * b;
}
