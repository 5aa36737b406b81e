// Refuses the architecture-changing config.json keys and values Dash does not implement, instead of ignoring them.
namespace Dash.Model.Config;

/// <summary>
/// Each check names the key and its value: running such a model as the plain Llama/Qwen2 would give wrong outputs
/// with exit 0. The neutral forms (use_sliding_window false, mlp_bias false, hidden_act silu, …) pass.
/// </summary>
internal static class UnimplementedKeys
{
    public static void Refuse(ConfigJsonReader r, string modelType, string source)
    {
        void Refuse(string key, string value, string what) =>
            throw new ModelConfigException($"{source}: \"{key}\" = {value} is not implemented; {what}");

        var act = r.OptionalString("hidden_act") ?? "silu";
        // "swish" is Hugging Face's other name for the same function (ACT2FN maps both to SiLU).
        if (act is not ("silu" or "swish")) Refuse("hidden_act", $"\"{act}\"", "Dash's MLP uses silu (SwiGLU).");

        if (r.OptionalBool("use_sliding_window") == true && r.HasNonNull("sliding_window"))
            Refuse("use_sliding_window", "true", "Dash attends to the whole context; set it to false or remove sliding_window.");
        if (r.OptionalStringList("layer_types") is { } layers && layers.FirstOrDefault(l => l != "full_attention") is { } other)
            Refuse("layer_types", $"[… \"{other}\" …]", "Dash implements full_attention layers only.");

        // Llama's attention_bias puts a bias on q/k/v *and* o_proj; Qwen2 always has q/k/v biases and no o_proj bias.
        if (modelType == "llama" && r.OptionalBool("attention_bias") == true)
            Refuse("attention_bias", "true", "for model_type llama it adds an o_proj bias, which Dash does not have.");
        if (r.OptionalBool("mlp_bias") == true) Refuse("mlp_bias", "true", "Dash's MLP projections have no bias.");

        if (r.OptionalDouble("partial_rotary_factor") is { } partial && partial != 1.0)
            Refuse("partial_rotary_factor", $"{partial}", "Dash rotates the whole head.");
    }
}
