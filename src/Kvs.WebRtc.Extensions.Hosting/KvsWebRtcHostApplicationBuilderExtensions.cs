using Kvs.WebRtc.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registers Kvs.WebRtc on a host application builder, reading the builder's configuration.</summary>
public static class KvsWebRtcHostApplicationBuilderExtensions
{
    /// <summary>
    /// Registers the KVS services (see <see cref="KvsWebRtcServiceCollectionExtensions.AddKvsWebRtc(IServiceCollection, Configuration.IConfiguration, Action{KvsWebRtcOptions})"/>)
    /// with options bound from the configuration section <paramref name="sectionName"/>.
    /// </summary>
    /// <param name="builder">The host application builder (e.g. from <c>Host.CreateApplicationBuilder</c>).</param>
    /// <param name="sectionName">The configuration section; default <c>Kvs</c>.</param>
    /// <param name="configure">Adjusts the options after binding; optional.</param>
    /// <returns>The builder.</returns>
    public static IHostApplicationBuilder AddKvsWebRtc(this IHostApplicationBuilder builder, string sectionName = KvsWebRtcOptions.DefaultSectionName, Action<KvsWebRtcOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(sectionName);
        builder.Services.AddKvsWebRtc(builder.Configuration.GetSection(sectionName), configure);
        return builder;
    }
}
