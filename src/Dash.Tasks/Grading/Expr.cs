// The expression tree the maths parser produces: numbers, constants, variables, operators and functions.
using System.Numerics;

namespace Dash.Tasks.Grading;

/// <summary>A node of a parsed mathematical expression.</summary>
public abstract record Expr;

/// <summary>An exact rational literal (decimals are read exactly: 0.25 is 1/4).</summary>
public sealed record NumberExpr(BigInteger Numerator, BigInteger Denominator, string Text) : Expr;

/// <summary>A named constant: pi, e, i (the imaginary unit) or infinity.</summary>
public sealed record ConstExpr(string Name) : Expr;

/// <summary>A free variable such as x, a_3 or alpha.</summary>
public sealed record VarExpr(string Name) : Expr;

/// <summary>Unary minus.</summary>
public sealed record NegExpr(Expr Operand) : Expr;

/// <summary>A binary operation: one of + - * / ^.</summary>
public sealed record BinaryExpr(char Op, Expr Left, Expr Right) : Expr;

/// <summary>A function application such as sin, log, sqrt, abs, floor or factorial.</summary>
public sealed record FuncExpr(string Name, Expr Argument) : Expr;

/// <summary>An n-th root, real for odd n and negative radicands.</summary>
public sealed record RootExpr(Expr Index, Expr Radicand) : Expr;

/// <summary>A logarithm in a given base.</summary>
public sealed record LogExpr(Expr Base, Expr Argument) : Expr;

/// <summary>Helpers that inspect expression trees.</summary>
public static class ExprFacts
{
    /// <summary>+1 or -1 when the expression is (minus) infinity, otherwise 0.</summary>
    public static int InfinitySign(Expr e) => e switch
    {
        ConstExpr { Name: "inf" } => 1,
        NegExpr n => -InfinitySign(n.Operand),
        _ => 0,
    };

    /// <summary>The free variables of an expression, in first-seen order.</summary>
    public static void CollectVariables(Expr e, ICollection<string> into, Budget budget)
    {
        budget.Step();
        switch (e)
        {
            case VarExpr v:
                if (!into.Contains(v.Name)) into.Add(v.Name);
                break;
            case NegExpr n: CollectVariables(n.Operand, into, budget); break;
            case BinaryExpr b: CollectVariables(b.Left, into, budget); CollectVariables(b.Right, into, budget); break;
            case FuncExpr f: CollectVariables(f.Argument, into, budget); break;
            case RootExpr r: CollectVariables(r.Index, into, budget); CollectVariables(r.Radicand, into, budget); break;
            case LogExpr l: CollectVariables(l.Base, into, budget); CollectVariables(l.Argument, into, budget); break;
        }
    }
}
