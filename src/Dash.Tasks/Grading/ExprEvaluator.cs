// Evaluates expression trees exactly (rationals) where possible and numerically (complex doubles) otherwise.
using System.Numerics;

namespace Dash.Tasks.Grading;

/// <summary>Pure evaluation functions over <see cref="Expr"/> trees; both check the budget at every node.</summary>
public static class ExprEvaluator
{
    /// <summary>The exact rational value, or null when the expression is not a rational constant.</summary>
    public static Rational? Exact(Expr e, Budget budget)
    {
        budget.Step();
        switch (e)
        {
            case NumberExpr n: return new Rational(n.Numerator, n.Denominator);
            case NegExpr neg: return Exact(neg.Operand, budget) is { } v ? new Rational(-v.Numerator, v.Denominator) : null;
            case BinaryExpr b:
                if (Exact(b.Left, budget) is not { } l || Exact(b.Right, budget) is not { } r) return null;
                return b.Op switch
                {
                    '+' => Rational.Add(l, r),
                    '-' => Rational.Subtract(l, r),
                    '*' => Rational.Multiply(l, r),
                    '/' => Rational.Divide(l, r),
                    '^' => Rational.Power(l, r),
                    _ => null,
                };
            default: return null;
        }
    }

    /// <summary>The numeric value with the given variable values; NaN or infinity where undefined.</summary>
    public static Complex Evaluate(Expr e, IReadOnlyDictionary<string, Complex> variables, Budget budget)
    {
        budget.Step();
        return e switch
        {
            NumberExpr n => new Complex(new Rational(n.Numerator, n.Denominator).ToDouble(), 0),
            ConstExpr c => c.Name switch
            {
                "pi" => Math.PI,
                "e" => Math.E,
                "i" => Complex.ImaginaryOne,
                _ => double.PositiveInfinity,
            },
            VarExpr v => variables.TryGetValue(v.Name, out var value) ? value : double.NaN,
            NegExpr neg => -Evaluate(neg.Operand, variables, budget),
            BinaryExpr b => Binary(b.Op, Evaluate(b.Left, variables, budget), Evaluate(b.Right, variables, budget)),
            FuncExpr f => Function(f.Name, Evaluate(f.Argument, variables, budget)),
            RootExpr r => Root(Evaluate(r.Index, variables, budget), Evaluate(r.Radicand, variables, budget)),
            LogExpr l => Complex.Log(Evaluate(l.Argument, variables, budget)) / Complex.Log(Evaluate(l.Base, variables, budget)),
            _ => double.NaN,
        };
    }

    /// <summary>Whether a complex value is finite in both parts.</summary>
    public static bool IsFinite(Complex z) => double.IsFinite(z.Real) && double.IsFinite(z.Imaginary);

    /// <summary>Whether two values agree within a relative tolerance (with a tiny absolute floor near zero).</summary>
    public static bool Close(Complex a, Complex b, double relativeTolerance) =>
        IsFinite(a) && IsFinite(b) && Complex.Abs(a - b) <= relativeTolerance * Math.Max(Complex.Abs(a), Complex.Abs(b)) + 1e-12;

    private static Complex Binary(char op, Complex l, Complex r) => op switch
    {
        '+' => l + r,
        '-' => l - r,
        '*' => l * r,
        '/' => r == Complex.Zero ? new Complex(double.NaN, double.NaN) : l / r,
        '^' => Power(l, r),
        _ => double.NaN,
    };

    private static Complex Power(Complex l, Complex r)
    {
        if (l.Imaginary == 0 && r.Imaginary == 0 && (l.Real >= 0 || Math.Abs(r.Real - Math.Round(r.Real)) < 1e-12))
            return Math.Pow(l.Real, r.Real);
        if (l == Complex.Zero) return r.Real > 0 ? Complex.Zero : double.NaN;
        return Complex.Pow(l, r);
    }

    private static Complex Root(Complex index, Complex radicand)
    {
        if (index.Imaginary == 0 && radicand.Imaginary == 0 && radicand.Real < 0)
        {
            var n = index.Real;
            if (Math.Abs(n - Math.Round(n)) < 1e-12 && ((long)Math.Round(n)) % 2 != 0)
                return -Math.Pow(-radicand.Real, 1 / n);
        }
        return Power(radicand, 1 / index);
    }

    private static Complex Function(string name, Complex x)
    {
        var real = x.Imaginary == 0;
        return name switch
        {
            "sqrt" => real && x.Real >= 0 ? Math.Sqrt(x.Real) : Complex.Sqrt(x),
            "sin" => Complex.Sin(x),
            "cos" => Complex.Cos(x),
            "tan" => Complex.Tan(x),
            "sec" => 1 / Complex.Cos(x),
            "csc" => 1 / Complex.Sin(x),
            "cot" => Complex.Cos(x) / Complex.Sin(x),
            "arcsin" => Complex.Asin(x),
            "arccos" => Complex.Acos(x),
            "arctan" => Complex.Atan(x),
            "sinh" => Complex.Sinh(x),
            "cosh" => Complex.Cosh(x),
            "tanh" => Complex.Tanh(x),
            "ln" => real && x.Real > 0 ? Math.Log(x.Real) : Complex.Log(x),
            "exp" => Complex.Exp(x),
            "abs" => Complex.Abs(x),
            "floor" => real ? Math.Floor(x.Real) : double.NaN,
            "ceil" => real ? Math.Ceiling(x.Real) : double.NaN,
            "fact" => Factorial(x),
            _ => double.NaN,
        };
    }

    private static Complex Factorial(Complex x)
    {
        if (x.Imaginary != 0 || x.Real < 0 || x.Real != Math.Floor(x.Real)) return double.NaN;
        if (x.Real > 170) return double.PositiveInfinity;
        var result = 1.0;
        for (var k = 2; k <= (int)x.Real; k++) result *= k;
        return result;
    }
}
