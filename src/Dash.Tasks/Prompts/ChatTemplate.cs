// A model's own chat template (tokenizer_config.json) for one user turn: the common families, recognised and rendered natively.
using System.Text;
using System.Text.RegularExpressions;

namespace Dash.Tasks.Prompts;

/// <summary>The chat-template families Dash renders.</summary>
public enum ChatFamily
{
    /// <summary>ChatML as Qwen2/2.5 use it: <c>&lt;|im_start|&gt;role\n…&lt;|im_end|&gt;\n</c>.</summary>
    ChatMl,

    /// <summary>Llama 3 headers: <c>&lt;|start_header_id|&gt;role&lt;|end_header_id|&gt;\n\n…&lt;|eot_id|&gt;</c>.</summary>
    Llama3,

    /// <summary>Llama 2 / Mistral: <c>[INST] … [/INST]</c>.</summary>
    Llama2,
}

/// <summary>
/// What a recognised Jinja chat template renders for <c>messages = [{role: user, content}]</c> with
/// <c>add_generation_prompt = true</c>, written out natively (no Jinja engine). The leading <c>bos_token</c> is left out:
/// the tokenizer adds its BOS itself. <see cref="System"/> is the system turn the template adds when the messages
/// have none (Qwen's "You are Qwen, …"), <see cref="Preamble"/> Llama 3.1's system header ("Cutting Knowledge Date…",
/// with the template's fallback date: strftime_now is not defined, so the prompt does not change from day to day).
/// </summary>
public sealed record ChatTemplate(ChatFamily Family, string? System = null, string? Preamble = null, bool Trim = false,
    string InstOpen = "[INST] ", string InstClose = " [/INST]")
{
    /// <summary>Recognises <paramref name="template"/> (Jinja source) or throws a <see cref="FormatException"/> naming
    /// <paramref name="source"/> (the file it came from) and what to use instead.</summary>
    public static ChatTemplate Recognise(string? template, string source)
    {
        if (string.IsNullOrWhiteSpace(template))
            throw new FormatException($"{source}: no \"chat_template\"; set task.template = raw (or qwen-chat).");
        var trim = Regex.IsMatch(template, @"content'?\]?\s*(\|\s*trim|\.strip\(\))");
        if (Has(template, "<|im_start|>", "<|im_end|>", "<|im_start|>assistant\\n", "add_generation_prompt"))
        {
            var system = Regex.Match(template, @"<\|im_start\|>system\\n((?:[^'""\\]|\\.)*?)<\|im_end\|>");
            return new ChatTemplate(ChatFamily.ChatMl, system.Success ? Unescape(system.Groups[1].Value) : null);
        }
        if (Has(template, "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>", "add_generation_prompt"))
        {
            if (!template.Contains("Cutting Knowledge Date:", StringComparison.Ordinal)) return new ChatTemplate(ChatFamily.Llama3, Trim: trim);
            var knowledge = Regex.Match(template, @"Cutting Knowledge Date: ([^\\""']+)");
            var date = Regex.Match(template, @"set date_string = [""']([^""']+)[""']");
            if (!knowledge.Success || !date.Success)
                throw new FormatException($"{source}: a Llama 3.1-style chat_template without a literal date Dash can use; set task.template = raw.");
            return new ChatTemplate(ChatFamily.Llama3, Preamble: $"Cutting Knowledge Date: {knowledge.Groups[1].Value}\nToday Date: {date.Groups[1].Value}\n\n", Trim: trim);
        }
        if (Has(template, "[INST]", "[/INST]"))
        {
            var open = Regex.Match(template, @"['""](\[INST\] ?)['""]");
            var close = Regex.Match(template, @"['""]( ?\[/INST\])['""]");
            return new ChatTemplate(ChatFamily.Llama2, Trim: trim,
                InstOpen: open.Success ? open.Groups[1].Value : "[INST] ", InstClose: close.Success ? close.Groups[1].Value : " [/INST]");
        }
        throw new FormatException(
            $"{source}: the chat_template is none Dash renders (ChatML as in Qwen2/2.5, Llama 3 headers, Llama 2 [INST]); set task.template = raw (or qwen-chat).");
    }

    /// <summary>The prompt for one user message, ending where the assistant's reply starts.</summary>
    public string Render(string user)
    {
        var content = Trim ? user.Trim() : user;
        return Family switch
        {
            ChatFamily.ChatMl => (System is null ? "" : $"<|im_start|>system\n{System}<|im_end|>\n") +
                                 $"<|im_start|>user\n{content}<|im_end|>\n<|im_start|>assistant\n",
            ChatFamily.Llama3 => (Preamble is null ? "" : $"<|start_header_id|>system<|end_header_id|>\n\n{Preamble}<|eot_id|>") +
                                 $"<|start_header_id|>user<|end_header_id|>\n\n{content}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
            _ => InstOpen + content + InstClose,
        };
    }

    private static bool Has(string template, params string[] markers) => markers.All(m => template.Contains(m, StringComparison.Ordinal));

    // Jinja string-literal escapes: \n, \t, \\, \', \".
    private static string Unescape(string literal)
    {
        var sb = new StringBuilder(literal.Length);
        for (var i = 0; i < literal.Length; i++)
        {
            if (literal[i] != '\\' || i + 1 == literal.Length)
            {
                sb.Append(literal[i]);
                continue;
            }
            var next = literal[++i];
            sb.Append(next switch { 'n' => '\n', 't' => '\t', _ => next });
        }
        return sb.ToString();
    }
}

/// <summary>The problem as the user turn of the model's own chat template.</summary>
public sealed record ChatPrompt(ChatTemplate Template) : PromptTemplate
{
    /// <inheritdoc />
    public override string Render(Problem problem) => Template.Render(problem.Question);
}
