// The defaults of `dash eval` for a model that is not a run's checkpoint, read from hocon/eval.conf.
using Akka.Configuration;

namespace Dash.Actors.Settings;

/// <summary>dash.eval.* of hocon/eval.conf: what `dash eval` uses when neither a run's settings nor a flag says.</summary>
public sealed record EvalDefaults(
    string Data, string DataDir, int MaxNewTokens, int BatchSize, float Temperature, float TopP, int TopK, int MaxPromptTokens,
    string Template, string Device, string Dtype)
{
    /// <summary>hocon/eval.conf's values.</summary>
    public static EvalDefaults Default => Defaults.Value;

    private static readonly Lazy<EvalDefaults> Defaults = new(() =>
    {
        var r = new SettingsReader(ConfigurationFactory.ParseString(ConfigLoader.EmbeddedText("eval.conf")));
        return new EvalDefaults(
            r.String("dash.eval.data"), r.String("dash.eval.data-dir"), r.Int("dash.eval.max-new-tokens", min: 1), r.Int("dash.eval.batch-size", min: 1),
            r.Float("dash.eval.temperature", min: 0), r.Float("dash.eval.top-p", min: 0, max: 1, off: 1), r.Int("dash.eval.top-k", min: 0, off: 0),
            r.Int("dash.eval.max-prompt-tokens", min: 1), r.Choice("dash.eval.template", "raw", "qwen-chat", "chat", "few-shot"),
            r.Device("dash.eval.device"), r.Choice("dash.eval.dtype", "float32", "bfloat16"));
    });
}
