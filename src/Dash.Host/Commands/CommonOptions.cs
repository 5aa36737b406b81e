// Options shared by the commands that read the training configuration.
using System.CommandLine;
using Dash.Actors.Settings;

namespace Dash.Host.Commands;

internal sealed class ConfigOptions
{
    public Option<string[]> Config { get; } = new("--config", "-c")
    {
        Description = "A HOCON file of settings (repeatable; later files win). Example: --config my-run.conf",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string[]> Set { get; } = new("--set", "-s")
    {
        Description = "Override one setting (repeatable; wins over files). Example: --set sampling.group-size=8",
    };

    public Option<string?> Algorithm { get; } = new("--algorithm", "-a")
    {
        Description = "Preset: dash, dash-nogf, grpo, ppo-multi, ppo-mini, dash-kl, sft (same as --set algorithm=...).",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Config);
        command.Options.Add(Set);
        command.Options.Add(Algorithm);
    }

    /// <param name="baseSets">Settings below the user's --set (a command's own defaults, which a --set may override).</param>
    public EffectiveConfig Load(ParseResult p, IEnumerable<string>? extraSets = null, string? forcedAlgorithm = null, IEnumerable<string>? baseSets = null) =>
        ConfigLoader.Load(p.GetValue(Config) ?? [], [.. baseSets ?? [], .. (p.GetValue(Set) ?? []), .. extraSets ?? []], forcedAlgorithm ?? p.GetValue(Algorithm));
}
