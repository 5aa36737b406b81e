// Exact rational arithmetic over big integers, with size limits so that huge powers give up instead of hanging.
using System.Numerics;

namespace Dash.Tasks.Grading;

/// <summary>A reduced fraction with a positive denominator.</summary>
public readonly record struct Rational
{
    /// <summary>The largest number of bits a numerator or denominator may reach before exact arithmetic gives up.</summary>
    public const long MaxBits = 4096;

    /// <summary>Creates a reduced fraction; the denominator must not be zero.</summary>
    public Rational(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.IsZero) throw new DivideByZeroException();
        if (denominator.Sign < 0) { numerator = -numerator; denominator = -denominator; }
        var g = BigInteger.GreatestCommonDivisor(numerator, denominator);
        if (!g.IsOne && !g.IsZero) { numerator /= g; denominator /= g; }
        Numerator = numerator;
        Denominator = denominator;
    }

    /// <summary>The numerator.</summary>
    public BigInteger Numerator { get; }

    /// <summary>The denominator (positive).</summary>
    public BigInteger Denominator { get; }

    /// <summary>Whether the value is a whole number.</summary>
    public bool IsInteger => Denominator.IsOne;

    /// <summary>The value as a double (may be infinite for huge values).</summary>
    public double ToDouble()
    {
        if (Numerator.IsZero) return 0;
        if (Numerator.GetBitLength() < 1000 && Denominator.GetBitLength() < 1000) return (double)Numerator / (double)Denominator;
        return Math.Exp(BigInteger.Log(BigInteger.Abs(Numerator)) - BigInteger.Log(Denominator)) * Numerator.Sign;
    }

    /// <summary>Sum, or null when the result is too large.</summary>
    public static Rational? Add(Rational a, Rational b) =>
        Make(a.Numerator * b.Denominator + b.Numerator * a.Denominator, a.Denominator * b.Denominator);

    /// <summary>Difference, or null when the result is too large.</summary>
    public static Rational? Subtract(Rational a, Rational b) =>
        Make(a.Numerator * b.Denominator - b.Numerator * a.Denominator, a.Denominator * b.Denominator);

    /// <summary>Product, or null when the result is too large.</summary>
    public static Rational? Multiply(Rational a, Rational b) =>
        Make(a.Numerator * b.Numerator, a.Denominator * b.Denominator);

    /// <summary>Quotient, or null for division by zero or a too large result.</summary>
    public static Rational? Divide(Rational a, Rational b) =>
        b.Numerator.IsZero ? null : Make(a.Numerator * b.Denominator, a.Denominator * b.Numerator);

    /// <summary>Integer power, or null when the exponent is not a small integer or the result is too large.</summary>
    public static Rational? Power(Rational a, Rational e)
    {
        if (!e.IsInteger || BigInteger.Abs(e.Numerator) > 10_000) return null;
        var n = (int)e.Numerator;
        if (n < 0 && a.Numerator.IsZero) return null;
        var bits = Math.Max(Bits(a.Numerator), Bits(a.Denominator));
        if (bits * (long)Math.Abs(n) > MaxBits) return null;
        var num = BigInteger.Pow(a.Numerator, Math.Abs(n));
        var den = BigInteger.Pow(a.Denominator, Math.Abs(n));
        return n >= 0 ? new Rational(num, den) : new Rational(den, num);
    }

    private static Rational? Make(BigInteger n, BigInteger d) =>
        Bits(n) > MaxBits || Bits(d) > MaxBits ? null : new Rational(n, d);

    private static long Bits(BigInteger v) => v.IsZero ? 0 : (long)v.GetBitLength();
}
