using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace Kvs.WebRtc.Tests.Packaging;

/// <summary>Writes an assembly's public surface as sorted text, one line per type and member.</summary>
internal static class PublicApiWriter
{
    private const BindingFlags DeclaredPublic =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    public static string Write(Assembly assembly)
    {
        var lines = new List<string>();
        foreach (var type in assembly.GetExportedTypes())
        {
            lines.Add(Describe(type));
            foreach (var member in type.GetMembers(DeclaredPublic))
            {
                if (IsVisible(member) && Describe(type, member) is { } line)
                {
                    lines.Add(line);
                }
            }
        }

        lines.Sort(StringComparer.Ordinal);
        var sb = new StringBuilder();
        foreach (var line in lines.Distinct())
        {
            sb.Append(line).Append('\n');
        }

        return sb.ToString();
    }

    private static bool IsVisible(MemberInfo member) => member switch
    {
        MethodBase m => (m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly) && !(m is MethodInfo { IsSpecialName: true } mi && !mi.Name.StartsWith("op_", StringComparison.Ordinal)),
        FieldInfo f => (f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly) && !f.IsSpecialName,
        PropertyInfo p => p.GetAccessors(nonPublic: true).Any(a => a.IsPublic || a.IsFamily || a.IsFamilyOrAssembly),
        EventInfo e => e.AddMethod is { } add && (add.IsPublic || add.IsFamily),
        Type => false, // nested types are listed as exported types
        _ => false,
    };

    private static string Describe(Type type)
    {
        var kind = type.IsEnum ? "enum" : type.IsInterface ? "interface" : type.IsValueType ? "struct" :
            typeof(Delegate).IsAssignableFrom(type) ? "delegate" : "class";
        var modifiers = type switch
        {
            { IsAbstract: true, IsSealed: true } => "static ",
            { IsInterface: false, IsAbstract: true } => "abstract ",
            { IsValueType: false, IsSealed: true, IsEnum: false } when kind == "class" => "sealed ",
            _ => string.Empty,
        };
        var bases = new List<string>();
        if (type.BaseType is { } b && b != typeof(object) && b != typeof(ValueType) && b != typeof(Enum) && kind != "delegate")
        {
            bases.Add(Name(b));
        }

        bases.AddRange(type.GetInterfaces().Select(t => Name(t)).Order(StringComparer.Ordinal));
        var experimental = type.GetCustomAttributesData().Any(a => a.AttributeType.Name == "ExperimentalAttribute") ? "[Experimental] " : string.Empty;
        return $"{experimental}{modifiers}{kind} {Name(type)}{(bases.Count > 0 ? " : " + string.Join(", ", bases) : string.Empty)}";
    }

    private static string? Describe(Type owner, MemberInfo member)
    {
        var prefix = Name(owner) + ".";
        return member switch
        {
            ConstructorInfo c => $"{prefix}ctor({Parameters(c)})",
            MethodInfo m => $"{prefix}{(m.IsStatic ? "static " : string.Empty)}{(m.IsAbstract && !owner.IsInterface ? "abstract " : m.IsVirtual && !m.IsFinal && !owner.IsInterface ? "virtual " : string.Empty)}{Name(m.ReturnType, m.ReturnParameter)} {m.Name}{Generic(m)}({Parameters(m)})",
            PropertyInfo p => $"{prefix}{Name(p.PropertyType, p)} {p.Name} {{ {Accessors(p)}}}",
            FieldInfo f when owner.IsEnum => $"{prefix}{f.Name} = {Convert.ToInt64(f.GetRawConstantValue(), System.Globalization.CultureInfo.InvariantCulture)}",
            FieldInfo f => $"{prefix}{(f.IsLiteral ? "const " : f.IsStatic ? "static " : string.Empty)}{(f.IsInitOnly ? "readonly " : string.Empty)}{Name(f.FieldType)} {f.Name}{(f.IsLiteral ? " = " + f.GetRawConstantValue() : string.Empty)}",
            EventInfo e => $"{prefix}event {Name(e.EventHandlerType!)} {e.Name}",
            _ => null,
        };
    }

    private static string Accessors(PropertyInfo p)
    {
        var sb = new StringBuilder();
        if (p.GetMethod is { } g && (g.IsPublic || g.IsFamily))
        {
            sb.Append("get; ");
        }

        if (p.SetMethod is { } s && (s.IsPublic || s.IsFamily))
        {
            var isInit = s.ReturnParameter.GetRequiredCustomModifiers().Any(m => m == typeof(IsExternalInit));
            sb.Append(isInit ? "init; " : "set; ");
        }

        return sb.ToString();
    }

    private static string Generic(MethodInfo m) =>
        m.IsGenericMethodDefinition ? "<" + string.Join(", ", m.GetGenericArguments().Select(a => a.Name)) + ">" : string.Empty;

    private static string Parameters(MethodBase m) => string.Join(", ", m.GetParameters().Select(p =>
        (p.IsOut ? "out " : p.ParameterType.IsByRef ? (p.IsIn ? "in " : "ref ") : string.Empty) +
        Name(p.ParameterType, p) + " " + p.Name + (p.HasDefaultValue ? " = " + (p.DefaultValue ?? "null") : string.Empty)));

    private static string Name(Type type, object? nullabilitySource = null)
    {
        var nullable = nullabilitySource switch
        {
            ParameterInfo p => new NullabilityInfoContext().Create(p).ReadState == NullabilityState.Nullable,
            PropertyInfo p => new NullabilityInfoContext().Create(p).ReadState == NullabilityState.Nullable,
            _ => false,
        };
        var name = Name(type);
        return nullable && !type.IsValueType && !name.EndsWith('?') ? name + "?" : name;
    }

    private static string Name(Type type)
    {
        if (type.IsByRef)
        {
            return Name(type.GetElementType()!);
        }

        if (type.IsArray)
        {
            return Name(type.GetElementType()!) + "[]";
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Name(underlying) + "?";
        }

        if (type.IsGenericParameter)
        {
            return type.Name;
        }

        var full = type.IsNested ? Name(type.DeclaringType!) + "." + type.Name : (type.Namespace is { } ns ? ns + "." : string.Empty) + type.Name;
        if (!type.IsGenericType)
        {
            return full;
        }

        var tick = full.IndexOf('`', StringComparison.Ordinal);
        var baseName = tick >= 0 ? full[..tick] : full;
        return baseName + "<" + string.Join(", ", type.GetGenericArguments().Select(t => Name(t))) + ">";
    }
}
