using System.Reflection;
using System.Reflection.Emit;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests.Architecture;

/// <summary>
/// The layering of ARCHITECTURE.md, checked on the built assemblies rather than by review: which assemblies may
/// reference which, and inside Kvs.WebRtc.PeerConnection which protocol namespaces may use which (arrows point
/// down only; the Transport driver and the public API compose everything). Dependencies are read from signatures,
/// base types, fields and the tokens in every method body's IL, so a stray call is caught as well as a stray field.
/// </summary>
[TestFixture]
public sealed class LayeringTests
{
    private const string Root = "Kvs.WebRtc.PeerConnection";

    // Namespace (relative to Root) -> namespaces it may use besides itself. Root ("") and Transport may use all.
    private static readonly Dictionary<string, string[]> s_allowed = new(StringComparer.Ordinal)
    {
        ["Stun"] = [],
        ["Sdp"] = [],
        ["Dtls"] = [],
        ["Srtp"] = [],
        ["Sctp"] = [],
        ["Rtp"] = [],
        ["Rtcp"] = [],
        ["Ice"] = ["Stun"],
        ["Turn"] = ["Stun", "Ice"], // Ice only for the relay seam (Contracts/IIceRelay.cs), checked below
        ["DataChannels"] = ["Sctp", ""],
        ["Codecs"] = [],
        ["Congestion"] = ["Rtcp"], // the estimator reads transport-wide feedback
        ["Jsep"] = ["Sdp", "Codecs"], // Codecs for the H.264 profile rules
        ["Media"] = ["Codecs", "Jsep", "Rtcp", "Rtp", "Sdp", ""], // the public track, sender and receiver types compose the negotiated model and codecs; media features write RTCP
    };

    // The sans-IO core contract (Contracts/ISansIoCore.cs) sits in the root namespace; every protocol core may implement it.
    private static readonly HashSet<string> s_coreContracts = new(StringComparer.Ordinal)
    {
        "ISansIoCore", "IDatagramCore", "IAddressedCore`1",
    };

    // What the DTLS handshake message codecs (Dtls.Messages) may use outside their namespace: the bounds-checked
    // reader/writer and the wire numbers, nothing of the state machine or the record layer.
    private static readonly HashSet<string> s_dtlsCodecDependencies = new(StringComparer.Ordinal)
    {
        "DtlsReader", "DtlsWriter", "DtlsHandshakeType", "DtlsVersion", "DtlsExtensionType", "DtlsNamedGroup", "DtlsSignatureScheme", "DtlsCodePoint",
    };

    // The ICE<->TURN seam: the only Ice types Turn may touch.
    private static readonly HashSet<string> s_relaySeam = new(StringComparer.Ordinal)
    {
        "IIceRelay", "IIceRelayFactory", "IceRelayServer", "IceRelayProtocol", "IceRelayReceiver",
    };

    // Inside Sctp: the wire primitives every chunk codec is built on, and the codecs (one per chunk or parameter).
    private static readonly HashSet<string> s_sctpPrimitives = new(StringComparer.Ordinal)
    {
        "SctpPacket", "SctpPacketWriter", "SctpChunk", "SctpChunkReader", "SctpParameterReader", "SctpChunkType",
        "SctpParameterType", "SctpErrorCause", "SctpReconfigResult", "SctpSerial", "Crc32c",
    };

    private static readonly string[] s_sctpCodecs =
    [
        "DataChunk", "InitChunk", "SackChunk", "ForwardTsnChunk", "HeartbeatChunk", "AbortChunk", "ErrorChunk",
        "ShutdownChunk", "CookieEchoChunk", "EmptyChunk", "OutgoingSsnResetRequestParameter", "ReconfigResponseParameter",
    ];

    // Inside Sctp: the pieces the association composes, and the association-level types they must not reach back to.
    private static readonly string[] s_sctpPieces =
    [
        "SctpOutstandingData", "ISctpCongestionControl", "SctpRenoCongestionControl", "SctpReassemblyQueue", "SctpBufferPool",
        "SctpSendQueue", "SctpStreamReset",
    ];

    private static readonly string[] s_sctpFacade = ["SctpAssociation", "SctpAssociationOptions", "SctpStatistics"];

    [TestCase("Kvs.WebRtc.PeerConnection", "Kvs.WebRtc.Signaling", "AWSSDK.Core", "Kvs.WebRtc", "System.Reactive")]
    [TestCase("Kvs.WebRtc.Signaling", "Kvs.WebRtc.PeerConnection", "Kvs.WebRtc", "Kvs.WebRtc.Emulator")]
    [TestCase("Kvs.WebRtc", "Kvs.WebRtc.Emulator", "Kvs.WebRtc.Extensions.Hosting")]
    [TestCase("Kvs.WebRtc.Extensions.Hosting", "Kvs.WebRtc.Emulator")]
    public void Assembly_DoesNotReferenceForbiddenAssemblies(string assemblyName, params string[] forbidden)
    {
        var references = Assembly.Load(assemblyName).GetReferencedAssemblies().Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        Assert.That(references.Intersect(forbidden), Is.Empty, $"{assemblyName} must not reference these assemblies");
    }

    [TestCase("Kvs.WebRtc.PeerConnection")]
    [TestCase("Kvs.WebRtc.Signaling")]
    [TestCase("Kvs.WebRtc")]
    [TestCase("Kvs.WebRtc.Emulator")]
    [TestCase("Kvs.WebRtc.Extensions.Hosting")]
    public void ShippingAssembly_GrantsInternalsOnlyToTestProjects(string assemblyName)
    {
        // Code two packages share is compiled into each from src/Shared (docs/architecture.md, "Layers").
        var grantees = Assembly.Load(assemblyName).GetCustomAttributes<System.Runtime.CompilerServices.InternalsVisibleToAttribute>()
            .Select(a => a.AssemblyName.Split(',')[0].Trim())
            .ToArray();

        Assert.That(grantees.Where(g => !IsTestProject(g)), Is.Empty, $"{assemblyName} grants its internals to a shipping package");
    }

    [TestCase("Kvs.WebRtc.Signaling", "Kvs.WebRtc.Emulator.Auth.SigV4Verifier")]
    [TestCase("Kvs.WebRtc.Signaling", "Kvs.WebRtc.Emulator.Signaling.SignalingServiceCodec")]
    [TestCase("Kvs.WebRtc.Emulator", "Kvs.WebRtc.Signaling.SignalingClientCodec")]
    public void ServerOrClientOnlyCode_StaysInItsOwnPackage(string assemblyName, string typeName)
    {
        var emulator = Assembly.Load("Kvs.WebRtc.Emulator");
        var signaling = Assembly.Load("Kvs.WebRtc.Signaling");
        var owner = assemblyName == emulator.GetName().Name ? signaling : emulator;

        Assert.Multiple(() =>
        {
            Assert.That(Assembly.Load(assemblyName).GetType(typeName), Is.Null, $"{typeName} must not ship in {assemblyName}");
            Assert.That(owner.GetType(typeName), Is.Not.Null, $"{typeName} was renamed or moved: update this test");
        });
    }

    [Test]
    public void PeerConnectionNamespaces_DependOnlyOnLowerLayers()
    {
        var assembly = Assembly.Load(Root);
        var violations = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var type in assembly.GetTypes())
        {
            var from = Layer(type);
            if (from is null || !s_allowed.TryGetValue(from, out var allowed))
            {
                continue; // root API and Transport compose everything
            }

            foreach (var used in DependenciesOf(type))
            {
                var to = Layer(used);
                if (to is null || to == from || used.Assembly != assembly || (to.Length == 0 && s_coreContracts.Contains(Outermost(used).Name)))
                {
                    continue;
                }

                var contract = to.Length == 0 && s_coreContracts.Contains(Outermost(used).Name);
                var ok = (allowed.Contains(to) || contract) && !(from == "Turn" && to == "Ice" && !s_relaySeam.Contains(Outermost(used).Name));
                if (!ok)
                {
                    violations.Add($"{from} -> {(to.Length == 0 ? "(root)" : to)}: {Outermost(type).FullName} uses {Outermost(used).FullName}");
                }
            }
        }

        Assert.That(violations, Is.Empty, "layering violations (see ARCHITECTURE.md / STYLE.md part 2)");
    }

    [Test]
    public void DtlsMessageCodecs_DependOnlyOnReaderWriterAndWireNumbers()
    {
        const string Messages = Root + ".Dtls.Messages";
        var assembly = Assembly.Load(Root);
        var codecs = assembly.GetTypes().Where(t => Outermost(t).Namespace == Messages).ToList();
        var violations = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var type in codecs)
        {
            foreach (var used in DependenciesOf(type))
            {
                var outer = Outermost(used);
                if (used.Assembly != assembly || outer.Namespace is not { } ns || !ns.StartsWith(Root, StringComparison.Ordinal) || ns == Messages)
                {
                    continue;
                }

                if (!s_dtlsCodecDependencies.Contains(outer.Name))
                {
                    violations.Add($"{Outermost(type).Name} uses {outer.FullName}");
                }
            }
        }

        Assert.That(codecs.Select(t => Outermost(t).Name).Distinct().Count(), Is.GreaterThanOrEqualTo(10), "the codecs were found");
        Assert.That(violations, Is.Empty, "a handshake message codec reaches beyond the reader/writer and the wire numbers");
    }

    [Test]
    public void Ice_GathererAndSocketDriverAreSeparateUnits_TheAgentTouchesNoSocket()
    {
        // The ICE split (docs/architecture.md, "ICE"): gathering and the socket driver never reach into the agent or
        // into each other; the transport composes them. The agent stays sans-IO.
        var assembly = Assembly.Load(Root);
        Type Ice(string name) => assembly.GetTypes().Single(t => t.FullName == Root + ".Ice." + name);
        var agent = Ice("IceAgent");
        var gatherer = Ice("IceGatherer");
        var driver = Ice("IceSocketDriver");
        var transport = Ice("IceTransport");
        var socket = Ice("IDatagramSocket");

        Assert.That(DependenciesOf(gatherer).Select(Outermost).Intersect([agent, driver, transport]), Is.Empty, "gatherer");
        Assert.That(DependenciesOf(driver).Select(Outermost).Intersect([agent, gatherer, transport]), Is.Empty, "socket driver");
        Assert.That(DependenciesOf(agent).Select(Outermost).Intersect([socket, gatherer, driver, transport]), Is.Empty, "agent");
        Assert.That(DependenciesOf(transport).Select(Outermost).ToHashSet(), Is.SupersetOf(new[] { gatherer, driver, agent }), "transport composes");
    }

    [Test]
    public void SctpChunkCodecs_UseOnlyTheWirePrimitives()
    {
        var violations = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (codec, used) in SctpUses(s_sctpCodecs))
        {
            if (!s_sctpPrimitives.Contains(used))
            {
                violations.Add($"{codec} uses {used}");
            }
        }

        Assert.That(violations, Is.Empty, "a chunk codec depends on nothing but the SCTP wire primitives (docs/architecture.md, SCTP pieces)");
    }

    [Test]
    public void SctpPieces_NeverReachBackIntoTheAssociation()
    {
        var violations = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (piece, used) in SctpUses(s_sctpPieces))
        {
            if (s_sctpFacade.Contains(used))
            {
                violations.Add($"{piece} uses {used}");
            }
        }

        Assert.That(violations, Is.Empty, "the SCTP pieces (outstanding data, congestion control, reassembly, send queue, stream reset) are composed by the association, never the reverse");
        Assert.That(SctpUses(["SctpOutstandingData"]).Select(u => u.Used), Does.Contain("SackChunk"), "the scanner sees the pieces' uses");
    }

    [Test]
    public void DependencyScanner_SeesUsesInsideMethodBodies()
    {
        // Guards the scanner itself: IceAgent calls into the STUN codec only from method bodies and helpers.
        var assembly = Assembly.Load(Root);
        var agent = assembly.GetTypes().Single(t => t.FullName == Root + ".Ice.IceAgent");
        var layers = DependenciesOf(agent).Select(Layer).ToHashSet();
        Assert.That(layers, Does.Contain("Stun"));
    }

    /// <summary>Types of the Sctp namespace (outermost names) that the named Sctp types, nested types included, use.</summary>
    private static List<(string Type, string Used)> SctpUses(string[] names)
    {
        var assembly = Assembly.Load(Root);
        var ns = Root + ".Sctp";
        var uses = new List<(string, string)>();
        foreach (var type in assembly.GetTypes())
        {
            var outer = Outermost(type);
            if (outer.Namespace != ns || !names.Contains(outer.Name))
            {
                continue;
            }

            foreach (var used in DependenciesOf(type))
            {
                var usedOuter = Outermost(used);
                if (usedOuter.Namespace == ns && usedOuter.Name != outer.Name)
                {
                    uses.Add((outer.Name, usedOuter.Name));
                }
            }
        }

        Assert.That(names.Where(n => assembly.GetType(ns + "." + n) is null), Is.Empty, "every named type exists");
        return uses;
    }

    /// <summary>The namespace of the type relative to <see cref="Root"/> (first segment), "" for the root, null outside.</summary>
    private static string? Layer(Type type)
    {
        var ns = Outermost(type).Namespace;
        if (ns is null || !(ns == Root || ns.StartsWith(Root + ".", StringComparison.Ordinal)))
        {
            return null;
        }

        var rest = ns.Length == Root.Length ? string.Empty : ns[(Root.Length + 1)..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? rest : rest[..dot];
    }

    private static Type Outermost(Type type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        return type;
    }

    private static IEnumerable<Type> DependenciesOf(Type type)
    {
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var found = new HashSet<Type>();
        void Add(Type? t)
        {
            if (t is null)
            {
                return;
            }

            if (t.HasElementType)
            {
                Add(t.GetElementType());
                return;
            }

            if (t.IsGenericType && !t.IsGenericTypeDefinition)
            {
                foreach (var arg in t.GetGenericArguments())
                {
                    Add(arg);
                }

                t = t.GetGenericTypeDefinition();
            }

            if (!t.IsGenericParameter)
            {
                found.Add(t);
            }
        }

        Add(type.BaseType);
        foreach (var i in type.GetInterfaces())
        {
            Add(i);
        }

        foreach (var field in type.GetFields(All))
        {
            Add(field.FieldType);
        }

        foreach (var method in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
        {
            if (method is MethodInfo mi)
            {
                Add(mi.ReturnType);
            }

            foreach (var p in method.GetParameters())
            {
                Add(p.ParameterType);
            }

            var body = method.GetMethodBody();
            if (body is null)
            {
                continue;
            }

            foreach (var local in body.LocalVariables)
            {
                Add(local.LocalType);
            }

            foreach (var member in TokensIn(method, body.GetILAsByteArray() ?? []))
            {
                switch (member)
                {
                    case Type t:
                        Add(t);
                        break;
                    case MemberInfo m:
                        Add(m.DeclaringType);
                        if (m is FieldInfo f)
                        {
                            Add(f.FieldType);
                        }

                        break;
                }
            }
        }

        return found;
    }

    private static readonly Dictionary<short, OpCode> s_opCodes = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private static IEnumerable<MemberInfo> TokensIn(MethodBase method, byte[] il)
    {
        var typeArgs = method.DeclaringType is { IsGenericType: true } dt ? dt.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var i = 0;
        while (i < il.Length)
        {
            short value = il[i++];
            if (value == 0xFE && i < il.Length)
            {
                value = unchecked((short)(0xFE00 | il[i++]));
            }

            if (!s_opCodes.TryGetValue(value, out var op))
            {
                yield break; // not valid IL: stop rather than misread
            }

            var size = op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, i)),
                _ => 4,
            };

            if (op.OperandType is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok)
            {
                var token = BitConverter.ToInt32(il, i);
                MemberInfo? member = null;
                try
                {
                    member = method.Module.ResolveMember(token, typeArgs, methodArgs);
                }
                catch (ArgumentException)
                {
                }

                if (member is not null)
                {
                    yield return member;
                }
            }

            i += size;
        }
    }

    private static bool IsTestProject(string assemblyName) =>
        assemblyName.EndsWith(".Tests", StringComparison.Ordinal)
        || assemblyName is "Kvs.WebRtc.Testing" or "Kvs.WebRtc.Benchmarks" or "Kvs.WebRtc.InteropTests" or "Kvs.WebRtc.Fuzz";
}
