// Edit distance for did-you-mean suggestions: the settings loader's unknown keys and the CLI's unknown options.
namespace Dash.Actors.Settings;

/// <summary>Levenshtein distance between two names (insertions, deletions and substitutions each cost 1).</summary>
public static class Spelling
{
    public static int Distance(string a, string b)
    {
        var d = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) d[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            var prev = d[0];
            d[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var tmp = d[j];
                d[j] = Math.Min(Math.Min(d[j] + 1, d[j - 1] + 1), prev + (a[i - 1] == b[j - 1] ? 0 : 1));
                prev = tmp;
            }
        }
        return d[b.Length];
    }
}
