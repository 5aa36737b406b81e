// Decides whether two parsed answers are equal: structure by structure, expressions exactly or at random points.
using System.Numerics;
using Dash.Tasks.Sampling;

namespace Dash.Tasks.Grading;

/// <summary>Pure comparison of <see cref="AnswerValue"/>s under a budget.</summary>
public static class AnswerComparer
{
    /// <summary>Whether <paramref name="predicted"/> answers the question whose gold answer is <paramref name="gold"/>.</summary>
    public static bool Equal(AnswerValue predicted, AnswerValue gold, VerifierOptions options, Budget budget)
    {
        budget.Step();
        switch (predicted, gold)
        {
            case (ScalarValue p, ScalarValue g): return ScalarEqual(p, g, options, budget);
            case (RelationValue p, RelationValue g): return RelationEqual(p, g, options, budget);
            case (RelationValue { Op: "=" } p, _) when StripsTo(p): return Equal(p.Right, gold, options, budget);
            case (_, RelationValue { Op: "=" } g) when StripsTo(g): return Equal(predicted, g.Right, options, budget);
            case (RelationValue p, IntervalValue or UnionValue):
                return options.AcceptInequalityForInterval && ToInterval(p) is { } pi && Equal(pi, gold, options, budget);
            case (IntervalValue or UnionValue, RelationValue g): return ToInterval(g) is { } gi && Equal(predicted, gi, options, budget);
            case (IntervalValue { FromInequality: true }, IntervalValue { FromInequality: false }) when !options.AcceptInequalityForInterval:
                return false;
            case (IntervalValue p, IntervalValue g):
                return p.LowClosed == g.LowClosed && p.HighClosed == g.HighClosed
                    && Equal(p.Low, g.Low, options, budget) && Equal(p.High, g.High, options, budget);
            case (IntervalValue p, SequenceValue { Kind: SequenceKind.Tuple, Items.Count: 2 } g):
                return !p.LowClosed && !p.HighClosed && Equal(p.Low, g.Items[0], options, budget) && Equal(p.High, g.Items[1], options, budget);
            case (SequenceValue { Kind: SequenceKind.Tuple, Items.Count: 2 } p, IntervalValue g):
                return !g.LowClosed && !g.HighClosed && Equal(p.Items[0], g.Low, options, budget) && Equal(p.Items[1], g.High, options, budget);
            case (UnionValue p, UnionValue g): return Unordered(p.Parts, g.Parts, options, budget);
            case (SequenceValue p, SequenceValue g): return SequenceEqual(p, g, options, budget);
            case (SequenceValue { Items.Count: 1 } p, _): return Equal(p.Items[0], gold, options, budget);
            case (_, SequenceValue { Items.Count: 1 } g): return Equal(predicted, g.Items[0], options, budget);
            case (SequenceValue { Kind: SequenceKind.Set } p, ScalarValue): return p.Items.All(i => Equal(i, gold, options, budget));
            case (ScalarValue, SequenceValue { Kind: SequenceKind.Set } g): return g.Items.All(i => Equal(predicted, i, options, budget));
            default: return false;
        }
    }

    // "x = 5", "f(x) = 5", "(p, q) = (3, 2)" and a worked value "1 + 1 = 2" stand for their right-hand side;
    // "a + 3z = 0" and "7 = 11a + c" are equations and do not.
    private static bool StripsTo(RelationValue r) => r.Left switch
    {
        ScalarValue { Expr: { } l } when IsConstant(l) => r.Right is ScalarValue { Expr: { } v } && IsConstant(v),
        ScalarValue s => AnswerParser.IsVariableLike(s.Key),
        SequenceValue { Kind: SequenceKind.Tuple or SequenceKind.Ratio } => true,
        _ => false,
    };

    private static bool IsConstant(Expr e)
    {
        var names = new List<string>();
        ExprFacts.CollectVariables(e, names, Budget.Unlimited());
        return names.Count == 0;
    }

    private static bool SequenceEqual(SequenceValue p, SequenceValue g, VerifierOptions options, Budget budget)
    {
        if (p.Kind == SequenceKind.Matrix || g.Kind == SequenceKind.Matrix)
            return p.Kind == g.Kind && Ordered(p.Items, g.Items, options, budget);
        if (p.Kind == SequenceKind.Ratio || g.Kind == SequenceKind.Ratio)
            return p.Kind == g.Kind && Ordered(p.Items, g.Items, options, budget);
        if (p.Kind == SequenceKind.Set || g.Kind == SequenceKind.Set) return Unordered(p.Items, g.Items, options, budget);
        if (p.Kind == SequenceKind.Assignments && g.Kind == SequenceKind.Assignments) return Unordered(p.Items, g.Items, options, budget);
        if (options.UnorderedBareLists && (p.Kind == SequenceKind.Bare || g.Kind == SequenceKind.Bare) && p.Items.Count == g.Items.Count)
            return Unordered(p.Items, g.Items, options, budget);
        return Ordered(p.Items, g.Items, options, budget);
    }

    private static bool Ordered(IReadOnlyList<AnswerValue> a, IReadOnlyList<AnswerValue> b, VerifierOptions options, Budget budget)
    {
        if (a.Count != b.Count) return false;
        for (var i = 0; i < a.Count; i++)
            if (!Equal(a[i], b[i], options, budget)) return false;
        return true;
    }

    // Set equality: every item on each side equals some item on the other (duplicates do not count).
    private static bool Unordered(IReadOnlyList<AnswerValue> a, IReadOnlyList<AnswerValue> b, VerifierOptions options, Budget budget)
    {
        if (a.Count > 256 || b.Count > 256) throw new BudgetExceededException("set with more than 256 elements");
        foreach (var x in a)
            if (!b.Any(y => Equal(x, y, options, budget))) return false;
        foreach (var y in b)
            if (!a.Any(x => Equal(x, y, options, budget))) return false;
        return true;
    }

    private static IntervalValue? ToInterval(RelationValue r)
    {
        var (variable, bound, op) = r.Left is ScalarValue { Expr: VarExpr } ? (r.Left, r.Right, r.Op) : (r.Right, r.Left, Flip(r.Op));
        if (variable is not ScalarValue { Expr: VarExpr } || bound is not ScalarValue { Expr: { } b } || !IsConstant(b)) return null;
        var inf = new ScalarValue("\\infty", new ConstExpr("inf"));
        var negInf = new ScalarValue("-\\infty", new NegExpr(new ConstExpr("inf")));
        return op switch
        {
            "<" => new IntervalValue(negInf, bound, false, false),
            "\\le" => new IntervalValue(negInf, bound, false, true),
            ">" => new IntervalValue(bound, inf, false, false),
            "\\ge" => new IntervalValue(bound, inf, true, false),
            _ => null,
        };
    }

    private static string Flip(string op) => op switch { "<" => ">", ">" => "<", "\\le" => "\\ge", "\\ge" => "\\le", _ => op };

    private static bool RelationEqual(RelationValue p, RelationValue g, VerifierOptions options, Budget budget)
    {
        var (pl, pop, pr) = Canonical(p);
        var (gl, gop, gr) = Canonical(g);
        if (pop != gop) return false;
        if (pl is ScalarValue a && gl is ScalarValue b && a.Key == b.Key && Equal(pr, gr, options, budget)) return true;
        if (pop is "=" or "\\ne" && pr is ScalarValue c && gr is ScalarValue d && c.Key == d.Key && Equal(pl, gl, options, budget)) return true;
        if (pl is not ScalarValue { Expr: { } l1 } || pr is not ScalarValue { Expr: { } r1 }) return false;
        if (gl is not ScalarValue { Expr: { } l2 } || gr is not ScalarValue { Expr: { } r2 }) return false;
        return Proportional(new BinaryExpr('-', l1, r1), new BinaryExpr('-', l2, r2), positive: pop is "<" or "\\le", options, budget);
    }

    // Rewrites > and \ge as < and \le by swapping sides.
    private static (AnswerValue Left, string Op, AnswerValue Right) Canonical(RelationValue r) => r.Op switch
    {
        ">" => (r.Right, "<", r.Left),
        "\\ge" => (r.Right, "\\le", r.Left),
        _ => (r.Left, r.Op, r.Right),
    };

    // Whether a = k·b for one constant k (positive when the relation is an inequality), checked at random points.
    private static bool Proportional(Expr a, Expr b, bool positive, VerifierOptions options, Budget budget)
    {
        Complex? ratio = null;
        var valid = 0;
        foreach (var point in Points(a, b, options, budget))
        {
            var va = ExprEvaluator.Evaluate(a, point, budget);
            var vb = ExprEvaluator.Evaluate(b, point, budget);
            if (!ExprEvaluator.IsFinite(va) || !ExprEvaluator.IsFinite(vb)) continue;
            if (Complex.Abs(vb) < 1e-12) { if (Complex.Abs(va) < 1e-12) continue; return false; }
            var k = va / vb;
            if (ratio is null)
            {
                if (Complex.Abs(k) < 1e-12 || (positive && (k.Real <= 0 || Math.Abs(k.Imaginary) > 1e-9))) return false;
                ratio = k;
            }
            else if (!ExprEvaluator.Close(k, ratio.Value, 1e-6)) return false;
            valid++;
        }
        return valid >= 2;
    }

    // The numeric policy of a reward: exact values (fractions, radicals, \pi, e) equal a decimal only when the decimal
    // is exact (\frac{1}{2} = 0.5; within DecimalTolerance, so a float's 0.0833333333333333 is 1/12) or the gold itself
    // is a decimal that the prediction rounds to (7.78 for 70/9); a rounded prediction (3.14 for \pi, 0.333 for 1/3) is
    // wrong. Decimals compare at DecimalTolerance, expressions without decimals at RelativeTolerance.
    private static bool ScalarEqual(ScalarValue p, ScalarValue g, VerifierOptions options, Budget budget)
    {
        if (p.Key == g.Key) return true;
        if (p.Expr is null || g.Expr is null) return string.Equals(p.Key, g.Key, StringComparison.OrdinalIgnoreCase);
        var pInf = ExprFacts.InfinitySign(p.Expr);
        var gInf = ExprFacts.InfinitySign(g.Expr);
        if (pInf != 0 || gInf != 0) return pInf == gInf;
        var (pDecimal, gDecimal) = (HasDecimal(p.Expr), HasDecimal(g.Expr));
        var tolerance = pDecimal || gDecimal ? options.DecimalTolerance : options.RelativeTolerance;
        if (ExprEvaluator.Exact(p.Expr, budget) is { } pe && ExprEvaluator.Exact(g.Expr, budget) is { } ge)
        {
            // Exact rationals decide, except that a decimal gold may be the rounded value of an exact prediction.
            if (pe == ge) return true;
            if (!pDecimal && !gDecimal) return false;
            return ExprEvaluator.Close(pe.ToDouble(), ge.ToDouble(), tolerance) || (!pDecimal && RoundedMatch(g.Expr, pe.ToDouble(), options))
                || (pDecimal && PrecisionMatch(pe.ToDouble(), ge.ToDouble(), options));
        }
        var valid = 0;
        foreach (var point in Points(p.Expr, g.Expr, options, budget))
        {
            var vp = ExprEvaluator.Evaluate(p.Expr, point, budget);
            var vg = ExprEvaluator.Evaluate(g.Expr, point, budget);
            var fp = ExprEvaluator.IsFinite(vp);
            var fg = ExprEvaluator.IsFinite(vg);
            if (!fp && !fg) continue;
            if (fp != fg) return false;
            if (!ExprEvaluator.Close(vp, vg, tolerance) && (pDecimal || !RoundedMatch(g.Expr, vp, options))
                && !(pDecimal && PrecisionMatch(vp.Real, vg.Real, options) && vp.Imaginary == 0 && vg.Imaginary == 0))
                return false;
            valid++;
        }
        return valid >= 1;
    }

    private static bool HasDecimal(Expr e) => e switch
    {
        NumberExpr n => n.Text.Contains('.', StringComparison.Ordinal),
        NegExpr n => HasDecimal(n.Operand),
        BinaryExpr b => HasDecimal(b.Left) || HasDecimal(b.Right),
        _ => false,
    };

    // A gold decimal literal with d ≥ MinRoundedDecimals places equals an exact value that rounds to it at d places.
    private static bool RoundedMatch(Expr literal, Complex other, VerifierOptions options)
    {
        if (!options.AcceptRoundedDecimals || Math.Abs(other.Imaginary) > 1e-12) return false;
        var (number, sign) = literal switch
        {
            NumberExpr n => (n, 1),
            NegExpr { Operand: NumberExpr n } => (n, -1),
            _ => (null, 0),
        };
        if (number is null) return false;
        var dot = number.Text.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0 || number.Text.Contains('e', StringComparison.OrdinalIgnoreCase)) return false;
        var places = number.Text.Length - dot - 1;
        if (places < options.MinRoundedDecimals || places > 12) return false;
        var value = sign * new Rational(number.Numerator, number.Denominator).ToDouble();
        var rounded = Math.Round(other.Real, places, MidpointRounding.AwayFromZero);
        return Math.Abs(rounded - value) <= 1e-9 * Math.Max(1, Math.Abs(value));
    }

    // Math-Verify's opt-in precision: both sides rounded to PredictionPrecision places agree (off unless configured).
    private static bool PrecisionMatch(double predicted, double gold, VerifierOptions options) =>
        options.PredictionPrecision > 0
        && Math.Round(predicted, options.PredictionPrecision, MidpointRounding.AwayFromZero) == Math.Round(gold, options.PredictionPrecision, MidpointRounding.AwayFromZero);

    // Deterministic random points over the variables of both expressions; one empty point when there are none.
    private static IEnumerable<Dictionary<string, Complex>> Points(Expr a, Expr b, VerifierOptions options, Budget budget)
    {
        var names = new List<string>();
        ExprFacts.CollectVariables(a, names, budget);
        ExprFacts.CollectVariables(b, names, budget);
        if (names.Count == 0) { yield return []; yield break; }
        if (names.Count > 32) throw new BudgetExceededException("more than 32 variables");
        for (var k = 0; k < options.RandomPoints; k++)
        {
            var point = new Dictionary<string, Complex>(names.Count);
            foreach (var name in names)
            {
                var rng = new SplitMix64(options.Seed ^ SplitMix64.Hash(name) ^ ((ulong)k * 0x9E3779B97F4A7C15ul));
                point[name] = 0.5 + 1.5 * rng.NextDouble();
            }
            yield return point;
        }
    }
}
