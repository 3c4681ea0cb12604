// What the recording proxies of run-hostile.ps1 saw, kept and flattened in compiled code: the
// hostile tier runs some 14 000 scripts in one process, and doing this in script was the slow part.
using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text;
using System.Text.RegularExpressions;

public static class IisctlRecorder
{
    public static List<KeyValuePair<string, IDictionary>> Calls = new List<KeyValuePair<string, IDictionary>>();
    public static HashSet<string> Seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    public static void Reset()
    {
        Calls = new List<KeyValuePair<string, IDictionary>>();
        Seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
    }

    public static void Record(string command, IDictionary bound)
    {
        Calls.Add(new KeyValuePair<string, IDictionary>(command, new Hashtable(bound)));
    }

    /** Every command name PowerShell looks up (PreCommandLookupAction: also names it cannot find). */
    public static void OnLookup(object sender, CommandLookupEventArgs e)
    {
        Seen.Add(e.CommandName);
    }

    /** "callIndex Command -Parameter[/key][i]" -> text, for every value the proxies received. */
    public static Dictionary<string, string> Values()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < Calls.Count; i++)
        {
            foreach (DictionaryEntry p in Calls[i].Value) Add(map, i + " " + Calls[i].Key + " -" + p.Key, p.Value);
        }
        return map;
    }

    private static void Add(Dictionary<string, string> map, string key, object value)
    {
        var pso = value as PSObject;
        if (pso != null) value = pso.BaseObject;
        if (value == null || value is ScriptBlock) return;
        var text = value as string;
        if (text != null) { map[key] = text; return; }
        var credential = value as PSCredential;
        if (credential != null)
        {
            map[key + "/UserName"] = credential.UserName;
            // GetNetworkCredential() parses the user name (and refuses some): read the SecureString alone.
            map[key + "/Password"] = new System.Net.NetworkCredential("", credential.Password).Password;
            return;
        }
        var dict = value as IDictionary;
        if (dict != null)
        {
            foreach (DictionaryEntry e in dict) Add(map, key + "/" + e.Key, e.Value);
            return;
        }
        var list = value as IEnumerable;
        if (list != null)
        {
            int i = 0;
            foreach (var v in list) Add(map, key + "[" + (i++) + "]", v);
            return;
        }
        map[key] = LanguagePrimitives.ConvertTo<string>(value);
    }

    /**
     * The values of every string constant in the script an envelope line carries, as PowerShell's
     * parser reads them (null when the line is not an envelope or the script does not parse).
     */
    public static string[] Literals(string line)
    {
        var ast = Decode(line);
        if (ast == null) return null;
        return ast.FindAll(n => n is StringConstantExpressionAst, true).Select(n => ((StringConstantExpressionAst)n).Value).ToArray();
    }

    /** The names of the commands the script an envelope line carries calls (the line's own too). */
    public static HashSet<string> Commands(string line)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        Token[] tokens;
        ParseError[] errors;
        foreach (var ast in new Ast[] { Parser.ParseInput(line, out tokens, out errors), Decode(line) })
        {
            if (ast == null) continue;
            foreach (CommandAst c in ast.FindAll(n => n is CommandAst, true))
            {
                string name = c.GetCommandName();
                if (name != null) names.Add(name);
            }
        }
        return names;
    }

    /** Text for a report: "(nothing)" for null, cut before 120 characters (never inside a surrogate pair: the report is UTF-8). */
    public static string Limit(string text)
    {
        if (text == null) return "(nothing)";
        if (text.Length <= 120) return text;
        int n = 120;
        if (char.IsHighSurrogate(text[n - 1])) n--;
        return text.Substring(0, n) + "... (" + text.Length + " chars)";
    }

    /**
     * One hostile case against its builder's baseline (run-hostile.ps1 says what each check means),
     * appending to the builder's lists; returns { mismatches, string constants compared, parameter
     * values compared }. In compiled code because it runs for every case and every constant of
     * some 15 000 scripts.
     */
    public static int[] CompareCase(string label, string line, IEnumerable<string> canary, HashSet<string> seen, HashSet<string> allowed,
        string[] baseLiterals, IDictionary<string, string> baseValues, IEnumerable<string> locations, IDictionary<string, string> values,
        string markerForm, string markerLower, string valueForm, string lowerForm, List<string> injections, List<string> mismatches)
    {
        int mismatchCount = 0, literalsCompared = 0, compared = 0;
        if (baseLiterals == null) baseLiterals = new string[0];
        foreach (var c in canary) injections.Add(label + " : canary " + c + " ran");
        foreach (var name in seen)
        {
            bool getForm = name.StartsWith("get-", StringComparison.OrdinalIgnoreCase) && seen.Contains(name.Substring(4));
            if (!allowed.Contains(name) && !getForm) injections.Add(label + " : looked up " + name + ", which the script does not call");
        }
        // The real parser reads the same string constants as from the baseline, the marker replaced by the text.
        var literals = Literals(line);
        if (literals == null || literals.Length != baseLiterals.Length)
        {
            injections.Add(label + " : the script has " + (literals == null ? "no parse" : literals.Length.ToString()) + " string constants, the baseline " + baseLiterals.Length);
        }
        else
        {
            for (int i = 0; i < literals.Length; i++)
            {
                string b0 = baseLiterals[i];
                string expected = b0.Contains(markerForm) ? b0.Replace(markerForm, valueForm) : b0.Contains(markerLower) ? b0.Replace(markerLower, lowerForm) : b0;
                if (!string.Equals(expected, b0, StringComparison.Ordinal)) literalsCompared++;
                if (!string.Equals(expected, literals[i], StringComparison.Ordinal))
                {
                    mismatchCount++;
                    if (mismatches.Count < 10) mismatches.Add(label + " : string constant " + i + " is " + Limit(literals[i]));
                }
            }
        }
        // Every location of the baseline receives its value with the marker replaced by the text.
        foreach (var loc in locations)
        {
            compared++;
            string expected = baseValues[loc].Replace(markerForm, valueForm);
            string actual;
            if (!values.TryGetValue(loc, out actual)) actual = null;
            if (!string.Equals(expected, actual, StringComparison.Ordinal))
            {
                mismatchCount++;
                if (mismatches.Count < 10) mismatches.Add(label + " at " + loc + " : got " + Limit(actual));
            }
        }
        return new[] { mismatchCount, literalsCompared, compared };
    }

    /**
     * The envelope's one-line wire format (lib/powershell/envelope.ts toSingleLine): '...' literals,
     * "`n" "`r" "`t", [char]N codes and (-join [char[]](N,N,...)) runs, joined, then an optional
     * argument ' '...'' (the envelope's marker).
     */
    private const string LineStart = "& ([scriptblock]::Create((-join @(";
    private const string LineEnd = "))))";
    private static readonly Regex Argument = new Regex(" '(?:[\\x20-\\x26\\x28-\\x7e]|'')*'$");
    private static readonly Regex Item = new Regex("\\G(?:'((?:[^']|'')*)'|\\[char\\](\\d{1,5})|\"`([nrt])\"|\\(-join \\[char\\[\\]\\]\\((\\d{1,5}(?:,\\d{1,5})+)\\)\\))(,|$)");

    private static Ast Decode(string line)
    {
        string t = Argument.Replace(line.Trim(), "");
        if (!t.StartsWith(LineStart, StringComparison.Ordinal) || !t.EndsWith(LineEnd, StringComparison.Ordinal)) return null;
        string inner = t.Substring(LineStart.Length, t.Length - LineStart.Length - LineEnd.Length);
        var script = new StringBuilder();
        int at = 0;
        while (at < inner.Length)
        {
            Match m = Item.Match(inner, at);
            if (!m.Success || m.Length == 0) return null;
            if (m.Groups[2].Success) script.Append((char)int.Parse(m.Groups[2].Value));
            else if (m.Groups[3].Success) script.Append(m.Groups[3].Value == "n" ? '\n' : m.Groups[3].Value == "r" ? '\r' : '\t');
            else if (m.Groups[4].Success) foreach (var code in m.Groups[4].Value.Split(',')) script.Append((char)int.Parse(code));
            else script.Append(m.Groups[1].Value.Replace("''", "'"));
            at += m.Length;
        }
        Token[] tokens;
        ParseError[] errors;
        var ast = Parser.ParseInput(script.ToString(), out tokens, out errors);
        return errors.Length > 0 ? null : ast;
    }
}
