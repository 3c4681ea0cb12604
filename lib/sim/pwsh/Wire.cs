// The pwsh engine's bridge replies, read into PowerShell values in one pass (SimWindows.psm1
// compiles this with Add-Type at import): the same wire format as lib/sim/pwsh/bridge.ts, decoded
// here because doing it in script functions cost ~100 ms for one ServiceController on this machine.
using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Management.Automation;
using System.Management.Automation.Remoting;
using System.Management.Automation.Runspaces;
using System.Reflection;
using System.Runtime.CompilerServices;
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
                Type t = LanguagePrimitives.ConvertTo<Type>(tag.GetString()) ;
                if (t != null && t.IsEnum) return Enum.ToObject(t, e.GetProperty("v").GetInt64());
                return e.GetProperty("n").GetString();
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
            if (!HasEtsMethod(o, "ToString")) o.Members.Add(new PSScriptMethod("ToString", ToText));
            foreach (JsonElement m in e.GetProperty("m").EnumerateArray())
            {
                string name = m.GetString();
                if (!HasEtsMethod(o, name)) o.Members.Add(new PSScriptMethod(name, MethodBlock(name)));
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

        static bool HasEtsMethod(PSObject o, string name)
        {
            PSMethodInfo m = o.Methods[name];
            return m is PSScriptMethod || m is PSCodeMethod;
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
