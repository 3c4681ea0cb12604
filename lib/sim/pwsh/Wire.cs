// The pwsh engine's bridge replies, read into PowerShell values in one pass (SimWindows.psm1
// compiles this with Add-Type at import): the same wire format as lib/sim/pwsh/bridge.ts, decoded
// here because doing it in script functions cost ~100 ms for one ServiceController on this machine.
using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Remoting;
using System.Management.Automation.Runspaces;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace IisctlSim
{
    public static class Wire
    {
        /// <summary>object -> its id on the Node side; object -> its ToString() text.</summary>
        public static readonly ConditionalWeakTable<object, object> Ids = new ConditionalWeakTable<object, object>();
        public static readonly ConditionalWeakTable<object, object> Texts = new ConditionalWeakTable<object, object>();
        /// <summary>Method name -> the module-bound script block that calls the simulator; set by the module.</summary>
        public static Func<string, ScriptBlock> MethodFor { get { return Hooks().MethodFor; } set { Hooks().MethodFor = value; } }
        public static ScriptBlock ToText { get { return Hooks().ToText; } set { Hooks().ToText = value; } }
        /// <summary>Property name -> the module-bound script block reading a live property (the reply's "l" list).</summary>
        public static Func<string, ScriptBlock> PropertyFor { get { return Hooks().PropertyFor; } set { Hooks().PropertyFor = value; } }

        // The hooks are the module's of the runspace reading the reply: a remote runspace
        // (Invoke-Command to a simulated computer) imports its own SimWindows, talking to the
        // simulator as that computer, and its objects' methods must call through it.
        sealed class RunspaceHooks
        {
            public Func<string, ScriptBlock> MethodFor; public Func<string, ScriptBlock> PropertyFor; public ScriptBlock ToText;
            /// <summary>MethodFor's block per method name, asked once: calling into PowerShell for every method of every object was most of a reply's reading.</summary>
            public readonly Dictionary<string, ScriptBlock> MethodBlocks = new Dictionary<string, ScriptBlock>(StringComparer.OrdinalIgnoreCase);
            /// <summary>This runspace's connection to the simulator (Connect).</summary>
            public Stream Stream; public StreamReader Reader; public StreamWriter Writer;
        }
        static readonly ConditionalWeakTable<Runspace, RunspaceHooks> hooks = new ConditionalWeakTable<Runspace, RunspaceHooks>();
        static readonly RunspaceHooks noRunspace = new RunspaceHooks();
        static RunspaceHooks Hooks()
        {
            Runspace rs = Runspace.DefaultRunspace;
            return rs == null ? noRunspace : hooks.GetValue(rs, _ => new RunspaceHooks());
        }

        static ScriptBlock MethodBlock(string name)
        {
            RunspaceHooks h = Hooks();
            lock (h.MethodBlocks)
            {
                ScriptBlock block;
                if (!h.MethodBlocks.TryGetValue(name, out block)) h.MethodBlocks[name] = block = h.MethodFor(name);
                return block;
            }
        }

        // ---- requests: PowerShell -> simulator --------------------------------------------------
        // Every shadowed cmdlet's call goes through here (SimWindows.psm1 Invoke-IisctlSim): done in
        // script functions, building and writing a request cost more than the simulator's answer.

        static readonly UTF8Encoding utf8 = new UTF8Encoding(false);

        /// <summary>Connects this runspace's module to the simulator's socket (bridge.ts).</summary>
        public static void Connect(string path)
        {
            RunspaceHooks h = Hooks();
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(path));
            h.Stream = new NetworkStream(socket, true);
            h.Reader = new StreamReader(h.Stream, utf8);
            h.Writer = new StreamWriter(h.Stream, utf8) { AutoFlush = true };
        }

        /// <summary>Ends this runspace's connection (a remote runspace ends with it).</summary>
        public static void Disconnect()
        {
            RunspaceHooks h = Hooks();
            if (h.Stream != null) h.Stream.Dispose();
            h.Stream = null; h.Reader = null; h.Writer = null;
        }

        /// <summary>A native program's output as PowerShell receives it: one string per line, empty ones too.</summary>
        public static string[] Lines(string text)
        {
            string[] lines = text.Replace("\r\n", "\n").Split('\n');
            if (lines.Length > 0 && lines[lines.Length - 1].Length == 0) Array.Resize(ref lines, lines.Length - 1);
            return lines;
        }

        /// <summary>One request, one reply line: the reply read into PowerShell values (Parse).</summary>
        public static object Send(IDictionary request)
        {
            RunspaceHooks h = Hooks();
            string line = null;
            if (h.Writer != null)
            {
                var json = new StringBuilder();
                WriteJson(json, request, 0);
                h.Writer.WriteLine(json.ToString());
                line = h.Reader.ReadLine();
            }
            if (line == null) throw new InvalidOperationException("iisctl simulator: the bridge to the simulated machine is closed.");
            return Parse(line);
        }

        /// <summary>The common parameters (-ErrorAction...): PowerShell's business, not sent; set by the module from the catalog.</summary>
        public static HashSet<string> Common = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        /// <summary>Preference variable -> the common parameter that overrides it.</summary>
        static readonly string[][] preferences =
        {
            new[] { "ErrorActionPreference", "ErrorAction" }, new[] { "WarningPreference", "WarningAction" },
            new[] { "InformationPreference", "InformationAction" }, new[] { "VerbosePreference", "Verbose" },
            new[] { "DebugPreference", "Debug" }, new[] { "WhatIfPreference", "WhatIf" }, new[] { "ConfirmPreference", "Confirm" },
        };

        /// <summary>
        /// A compiled cmdlet honours its caller's preference variables; a script module's function does
        /// not see them, it looks them up in the module's own scopes
        /// (https://github.com/PowerShell/PowerShell/issues/4568), so `$ErrorActionPreference = 'Stop'`
        /// in a script would not make a shadowing function's error terminating. They are copied from the
        /// caller's session state ($PSCmdlet.SessionState) into the current scope of `into` (the calling
        /// function's $ExecutionContext.SessionState, whose $Cmdlet writes the errors), unless the
        /// matching common parameter was given.
        /// </summary>
        public static void CopyPreferences(PSCmdlet cmdlet, IDictionary bound, SessionState into)
        {
            foreach (string[] p in preferences)
            {
                if (!bound.Contains(p[1])) into.PSVariable.Set(p[0], cmdlet.SessionState.PSVariable.GetValue(p[0]));
            }
        }

        /// <summary>A shadowed cmdlet's call: its bound parameters to the simulator, the reply back (SimWindows.psm1 Write-IisctlSimReply writes it).</summary>
        public static object Invoke(PSCmdlet cmdlet, string name, IDictionary bound, SessionState into)
        {
            CopyPreferences(cmdlet, bound, into);
            var parameters = new Hashtable();
            foreach (DictionaryEntry e in bound)
            {
                if (!Common.Contains((string)e.Key)) parameters[e.Key] = ToWire(e.Value);
            }
            bool whatIf = bound.Contains("WhatIf") ? LanguagePrimitives.IsTrue(bound["WhatIf"]) : LanguagePrimitives.IsTrue(into.PSVariable.GetValue("WhatIfPreference"));
            return Send(new Hashtable { { "op", "cmd" }, { "name", name }, { "set", cmdlet.ParameterSetName }, { "params", parameters }, { "whatIf", whatIf } });
        }

        /// <summary>
        /// A PowerShell value in the bridge's wire format (bridge.ts decode): a simulated object as its
        /// id, dates, hashtables, custom objects and credentials (the user name only) tagged, anything
        /// that cannot cross as its text.
        /// </summary>
        public static object ToWire(object value) { return ToWire(value, 0); }

        static object ToWire(object value, int depth)
        {
            if (value == null) return null;
            object id;
            if (Ids.TryGetValue(value, out id)) return new Hashtable { { "$ref", id } };
            var pso = value as PSObject;
            object b = pso != null ? pso.BaseObject : value;
            if (b == null) return null;
            Type type = b.GetType();
            // A simulated object as a parameter took its parameter's type (a SimArg class of the module): send the object.
            if (!type.IsArray && type.Name.StartsWith("SimArg", StringComparison.Ordinal)) return ToWire(type.GetProperty("Value").GetValue(b), depth);
            if (b is SwitchParameter) return ((SwitchParameter)b).IsPresent;
            if (b is string || b is bool) return b;
            if (b is char) return b.ToString();
            if (b is Enum) return b.ToString();
            if (b is int || b is long || b is double || b is uint || b is short || b is byte || b is decimal || b is float || b is ulong) return b;
            if (b is DateTime)
            {
                var d = (DateTime)b;
                return new Hashtable { { "$date", (long)Math.Round((d.ToUniversalTime() - DateTime.UnixEpoch).TotalMilliseconds) }, { "k", d.Kind.ToString() } };
            }
            if (b is PSCredential) return new Hashtable { { "$cred", ((PSCredential)b).UserName } };
            if (b is ScriptBlock || depth > 8) return new Hashtable { { "$str", LanguagePrimitives.ConvertTo<string>(value) } };
            var dictionary = b as IDictionary;
            if (dictionary != null)
            {
                var pairs = new List<object>();
                foreach (DictionaryEntry e in dictionary) pairs.Add(new[] { ToWire(e.Key, depth + 1), ToWire(e.Value, depth + 1) });
                return new Hashtable { { "$hash", pairs.ToArray() }, { "o", b is OrderedDictionary } };
            }
            var enumerable = b as IEnumerable;
            if (enumerable != null)
            {
                var items = new List<object>();
                foreach (object x in enumerable) items.Add(ToWire(x, depth + 1));
                return items.ToArray();
            }
            if (b is PSCustomObject)
            {
                var pairs = new List<object>();
                foreach (PSPropertyInfo p in PSObject.AsPSObject(value).Properties) pairs.Add(new[] { p.Name, ToWire(p.Value, depth + 1) });
                return new Hashtable { { "$custom", pairs.ToArray() } };
            }
            return new Hashtable { { "$str", LanguagePrimitives.ConvertTo<string>(value) } };
        }

        /// <summary>
        /// The request as JSON: dictionaries as objects, lists as arrays; every character outside
        /// printable ASCII \u-escaped (a lone surrogate of a hostile value included, which JSON.parse
        /// takes as it is).
        /// </summary>
        static void WriteJson(StringBuilder o, object v, int depth)
        {
            if (depth > 64) throw new InvalidOperationException("iisctl simulator: a request nested too deep for the bridge.");
            var pso = v as PSObject;
            if (pso != null) v = pso.BaseObject;
            if (v == null) { o.Append("null"); return; }
            if (v is string) { WriteString(o, (string)v); return; }
            if (v is bool) { o.Append((bool)v ? "true" : "false"); return; }
            if (v is char || v is Enum) { WriteString(o, v.ToString()); return; }
            if (v is double || v is float)
            {
                double d = Convert.ToDouble(v, CultureInfo.InvariantCulture);
                if (double.IsNaN(d) || double.IsInfinity(d)) WriteString(o, d.ToString(CultureInfo.InvariantCulture));
                else o.Append(d.ToString("R", CultureInfo.InvariantCulture));
                return;
            }
            if (v is int || v is long || v is uint || v is short || v is byte || v is decimal || v is ulong || v is sbyte || v is ushort)
            {
                o.Append(Convert.ToString(v, CultureInfo.InvariantCulture));
                return;
            }
            var dictionary = v as IDictionary;
            if (dictionary != null)
            {
                o.Append('{');
                bool first = true;
                foreach (DictionaryEntry e in dictionary)
                {
                    if (!first) o.Append(',');
                    first = false;
                    WriteString(o, Convert.ToString(e.Key, CultureInfo.InvariantCulture));
                    o.Append(':');
                    WriteJson(o, e.Value, depth + 1);
                }
                o.Append('}');
                return;
            }
            var enumerable = v as IEnumerable;
            if (enumerable != null)
            {
                o.Append('[');
                bool first = true;
                foreach (object x in enumerable)
                {
                    if (!first) o.Append(',');
                    first = false;
                    WriteJson(o, x, depth + 1);
                }
                o.Append(']');
                return;
            }
            WriteString(o, v.ToString());
        }

        static void WriteString(StringBuilder o, string s)
        {
            o.Append('"');
            foreach (char c in s)
            {
                if (c == '"') o.Append("\\\"");
                else if (c == '\\') o.Append("\\\\");
                else if (c < 0x20 || c > 0x7e) o.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                else o.Append(c);
            }
            o.Append('"');
        }

        // ---- replies: simulator -> PowerShell ---------------------------------------------------

        /// <summary>
        /// An ErrorRecord whose FullyQualifiedErrorId is `id` as it is, the cmdlet's type name included
        /// ("NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand"). Written by a
        /// function, a record's id would get the function's name appended (FullyQualifiedErrorId is
        /// the id plus the invoking command's name, a script command's Name or a cmdlet's
        /// ImplementingType, unless the record carries a serialized id: ErrorRecord.FullyQualifiedErrorId
        /// in src/System.Management.Automation/engine/ErrorPackage.cs of the PowerShell repository), so
        /// the id is kept in that field. Without the field (another PowerShell), the appended form.
        /// </summary>
        public static ErrorRecord NewErrorRecord(Exception exception, string id, ErrorCategory category, object target)
        {
            var record = new ErrorRecord(exception, id, category, target);
            if (serializedId != null) serializedId.SetValue(record, id);
            return record;
        }
        static readonly FieldInfo serializedId = typeof(ErrorRecord).GetField("_serializedFullyQualifiedErrorId", BindingFlags.NonPublic | BindingFlags.Instance);

        public static object Parse(string json)
        {
            using (JsonDocument doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 256 }))
            {
                return From(doc.RootElement);
            }
        }

        public static object From(JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.True: return true;
                case JsonValueKind.False: return false;
                case JsonValueKind.String: return e.GetString();
                case JsonValueKind.Number:
                    int i; long l;
                    if (e.TryGetInt32(out i)) return i;
                    if (e.TryGetInt64(out l)) return l;
                    return e.GetDouble();
                case JsonValueKind.Array:
                    var list = new List<object>();
                    foreach (JsonElement x in e.EnumerateArray()) list.Add(From(x));
                    return list.ToArray();
                case JsonValueKind.Object:
                    return FromObject(e);
                default:
                    return null;
            }
        }

        static object FromObject(JsonElement e)
        {
            JsonElement tag;
            if (e.TryGetProperty("$obj", out tag)) return SimObject(e, tag);
            if (e.TryGetProperty("$enum", out tag))
            {
                Type t;
                long v = e.GetProperty("v").GetInt64();
                if (LanguagePrimitives.TryConvertTo<Type>(tag.GetString(), out t) && t != null && t.IsEnum) return Enum.ToObject(t, v);
                // A Windows-only enum pwsh lacks (Microsoft.Web.Administration.ObjectState): its number,
                // which ConvertTo-Json writes as the real enum's, showing its name as text
                // (lib/sim/README.md: -eq against the name is where it differs).
                var number = PSObject.AsPSObject((int)v);
                number.TypeNames.Insert(0, tag.GetString());
                string name = e.GetProperty("n").GetString();
                number.Members.Add(new PSScriptMethod("ToString", ScriptBlock.Create("'" + name.Replace("'", "''") + "'")));
                return number;
            }
            if (e.TryGetProperty("$date", out tag))
            {
                DateTimeKind kind = (DateTimeKind)Enum.Parse(typeof(DateTimeKind), e.GetProperty("k").GetString());
                // The simulated machine's time zone is UTC (lib/sim/values.ts PsDateTime): Local keeps the clock time.
                return DateTime.SpecifyKind(DateTime.UnixEpoch.AddMilliseconds(tag.GetDouble()), kind);
            }
            if (e.TryGetProperty("$hash", out tag))
            {
                JsonElement ordered;
                IDictionary h = e.TryGetProperty("o", out ordered) && ordered.ValueKind == JsonValueKind.True
                    ? (IDictionary)new OrderedDictionary(StringComparer.OrdinalIgnoreCase)
                    : new Hashtable(StringComparer.OrdinalIgnoreCase);
                foreach (JsonElement pair in tag.EnumerateArray()) h[From(pair[0])] = From(pair[1]);
                return h;
            }
            if (e.TryGetProperty("$bytes", out tag)) return Convert.FromBase64String(tag.GetString());
            if (e.TryGetProperty("$cred", out tag))
            {
                // A credential the simulator read (Import-Clixml): pwsh's own PSCredential and SecureString.
                var password = new System.Security.SecureString();
                foreach (char c in e.GetProperty("pw").GetString()) password.AppendChar(c);
                password.MakeReadOnly();
                return new PSCredential(tag.GetString(), password);
            }
            if (e.TryGetProperty("$type", out tag)) return LanguagePrimitives.ConvertTo<Type>(tag.GetString());
            if (e.TryGetProperty("$str", out tag)) return tag.GetString();
            // A plain object of the reply itself (the envelope, an error's exception): a case-insensitive hashtable.
            var plain = new Hashtable(StringComparer.OrdinalIgnoreCase);
            foreach (JsonProperty p in e.EnumerateObject()) plain[p.Name] = From(p.Value);
            return plain;
        }

        static PSObject SimObject(JsonElement e, JsonElement id)
        {
            var o = new PSObject();
            CopyProperties(o, e);
            JsonElement live;
            if (e.TryGetProperty("l", out live))
            {
                // Properties read when looked at (a PSSession's State), not when the object arrived; added
                // before the type names, as the notes are: instance members, not the type data's of that name.
                foreach (JsonElement l in live.EnumerateArray())
                {
                    string name = l.GetString();
                    o.Properties.Remove(name);
                    o.Properties.Add(new PSScriptProperty(name, PropertyFor(name)));
                }
            }
            o.TypeNames.Clear();
            foreach (JsonElement t in e.GetProperty("t").EnumerateArray()) o.TypeNames.Add(t.GetString());
            Texts.AddOrUpdate(o, e.GetProperty("s").GetString());
            // Where PowerShell's type data gives the type a member of that name (ServiceController's ToString), it stays.
            string types = string.Join("\n", o.TypeNames);
            var added = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            if (!HasEtsMethod(o, types, "ToString")) { o.Members.Add(new PSScriptMethod("ToString", ToText)); added.Add("ToString"); }
            foreach (JsonElement m in e.GetProperty("m").EnumerateArray())
            {
                string name = m.GetString();
                if (!added.Contains(name) && !HasEtsMethod(o, types, name)) { o.Members.Add(new PSScriptMethod(name, MethodBlock(name))); added.Add(name); }
            }
            Ids.AddOrUpdate(o, id.GetInt64());
            return o;
        }

        static void CopyProperties(PSObject o, JsonElement e)
        {
            foreach (JsonElement pair in e.GetProperty("p").EnumerateArray())
            {
                string name = pair[0].GetString();
                object value = From(pair[1]);
                PSPropertyInfo existing = o.Properties[name];
                if (existing != null) existing.Value = value;
                else o.Properties.Add(new PSNoteProperty(name, value));
            }
        }

        /// <summary>A method's reply carries the object again: its properties as they are now (Refresh()).</summary>
        public static void Refresh(PSObject target, PSObject fresh)
        {
            foreach (PSPropertyInfo p in fresh.Properties)
            {
                if (!(p is PSNoteProperty)) continue;
                PSPropertyInfo existing = target.Properties[p.Name];
                if (existing is PSScriptProperty) continue;
                if (existing != null) existing.Value = p.Value;
                else target.Properties.Add(new PSNoteProperty(p.Name, p.Value));
            }
        }

        /// <summary>
        /// Whether the type data of the object's type names has a method of that name, asked once per
        /// type names and method: looking a member up in the type data was most of reading a reply
        /// (a ServiceController with its related services is some ten objects of ten methods each).
        /// </summary>
        static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> etsMethods = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>();
        static bool HasEtsMethod(PSObject o, string types, string name)
        {
            return etsMethods.GetOrAdd(types + "\0" + name, _ =>
            {
                PSMethodInfo m = o.Methods[name];
                return m is PSScriptMethod || m is PSCodeMethod;
            });
        }
    }

    /// <summary>
    /// Invoke-Command to a simulated computer (SimWindows.psm1, remoting section): the block runs in
    /// a runspace of this process; what crosses back goes through PowerShell's own serializer at
    /// remoting's depth 1 and its own remote error record, as a WinRM client would receive it.
    /// </summary>
    public static class Remote
    {
        public sealed class Result
        {
            public List<PSObject> Output = new List<PSObject>();
            /// <summary>A terminating error of the block (it ends the remote pipeline).</summary>
            public ErrorRecord Terminating;
        }

        /// <summary>Runs the pipeline, keeping the output written before a terminating error.</summary>
        public static Result Run(PowerShell ps)
        {
            var r = new Result();
            try { ps.Invoke<PSObject>(null, r.Output); }
            catch (RuntimeException e) { r.Terminating = e.ErrorRecord; }
            return r;
        }

        /// <summary>
        /// What the other side of a remoting connection receives: a deserialized copy (depth 1,
        /// s_mshDefaultSerializationDepth in src/System.Management.Automation/engine/serialization.cs
        /// of the PowerShell repository).
        /// </summary>
        public static object Cross(object value)
        {
            return PSSerializer.Deserialize(PSSerializer.Serialize(value, 1));
        }

        /// <summary>
        /// An output object as Invoke-Command returns it, with the notes PSComputerName, RunspaceId and
        /// PSShowComputerName on every object, primitives included (about_Remote_Output,
        /// https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_remote_output).
        /// </summary>
        public static PSObject Arrive(object value, string computer, Guid runspaceId, bool showComputerName)
        {
            // A $null has no notes to carry (Nil in the serialized stream): it stays $null.
            if (value == null) return null;
            PSObject o = PSObject.AsPSObject(Cross(value));
            o.Properties.Add(new PSNoteProperty("PSComputerName", computer));
            o.Properties.Add(new PSNoteProperty("RunspaceId", runspaceId));
            o.Properties.Add(new PSNoteProperty("PSShowComputerName", showComputerName));
            return o;
        }

        static readonly MethodInfo fromRemoting = typeof(ErrorRecord).GetMethod("FromPSObjectForRemoting", BindingFlags.NonPublic | BindingFlags.Static);

        /// <summary>
        /// A remote error as the client rebuilds it (PowerShell's own ErrorRecord.FromPSObjectForRemoting,
        /// src/System.Management.Automation/engine/ErrorPackage.cs): same FullyQualifiedErrorId and
        /// category, a RemoteException whose SerializedRemoteException is the deserialized original,
        /// and the origin (PSComputerName) of a RemotingErrorRecord.
        /// </summary>
        public static ErrorRecord ArriveError(ErrorRecord record, string computer, Guid runspaceId)
        {
            var rebuilt = (ErrorRecord)fromRemoting.Invoke(null, new object[] { PSObject.AsPSObject(Cross(record)) });
            return new RemotingErrorRecord(rebuilt, new OriginInfo(computer, runspaceId));
        }
    }
}
