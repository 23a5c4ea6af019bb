using System.Diagnostics.Metrics;
using Kvs.WebRtc.Hosting;
using Kvs.WebRtc.Signaling.Auth;
using Kvs.WebRtc.Signaling.ControlPlane;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Kvs.WebRtc in a service collection: <see cref="AddKvsWebRtc(IServiceCollection, IConfiguration, Action{KvsWebRtcOptions})"/> and <see cref="AddKvsMaster"/>.</summary>
public static class KvsWebRtcServiceCollectionExtensions
{
    /// <summary>
    /// Registers the KVS services with options bound from <paramref name="configuration"/> (typically
    /// <c>builder.Configuration.GetSection("Kvs")</c>) and validated when the host starts.
    /// </summary>
    /// <remarks>
    /// Registered (each with TryAdd, so a registration made before wins, e.g. a test's clock or credentials):
    /// <see cref="TimeProvider"/> (system clock), <see cref="SigV4Signer"/>, <see cref="IAwsCredentialsProvider"/>
    /// (explicit keys, profile or the AWS default chain), the control-plane <see cref="KinesisVideoClient"/>, and
    /// <see cref="KvsChannelFactory"/>, which opens signaling channels and sessions; HTTP comes from
    /// <see cref="IHttpClientFactory"/> (client <see cref="KvsWebRtcOptions.HttpClientName"/>, configurable with
    /// <c>AddHttpClient</c>); the <see cref="ILoggerFactory"/> of the container is used when there is one.
    /// </remarks>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration section to bind (keys <c>Channel</c>, <c>Region</c>, ...).</param>
    /// <param name="configure">Adjusts the options after binding; optional.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddKvsWebRtc(this IServiceCollection services, IConfiguration configuration, Action<KvsWebRtcOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddOptions<KvsWebRtcOptions>().Bind(configuration);
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        return AddCore(services, configuration is IConfigurationSection section ? section.Path : string.Empty);
    }

    /// <summary>Registers the KVS services with options set in code (see <see cref="AddKvsWebRtc(IServiceCollection, IConfiguration, Action{KvsWebRtcOptions})"/>).</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddKvsWebRtc(this IServiceCollection services, Action<KvsWebRtcOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<KvsWebRtcOptions>().Configure(configure);
        return AddCore(services, KvsWebRtcOptions.DefaultSectionName);
    }

    /// <summary>
    /// Registers a hosted master: a <see cref="Kvs.WebRtc.Sessions.MasterSession"/> started with the host (in the background, retried with
    /// back-off while the network or the control plane is unreachable), kept across signaling outages, and disposed
    /// when the host stops (viewers disconnected, sockets closed, within the host's shutdown timeout). The app reaches
    /// it through <see cref="KvsMasterAccessor"/> and the returned builder's callbacks. Needs <c>AddKvsWebRtc</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder for the session's tracks, peer configuration and start callbacks.</returns>
    public static KvsMasterBuilder AddKvsMaster(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var callbacks = services.FirstOrDefault(d => d.ServiceType == typeof(KvsMasterCallbacks))?.ImplementationInstance as KvsMasterCallbacks;
        if (callbacks is null)
        {
            callbacks = new KvsMasterCallbacks();
            services.AddSingleton(callbacks);
            services.TryAddSingleton(_ => new KvsMasterAccessor());
            services.AddSingleton<IHostedService>(sp => new KvsMasterHostedService(
                sp.GetRequiredService<KvsMasterAccessor>(),
                callbacks,
                sp,
                sp.GetRequiredService<IOptionsMonitor<KvsWebRtcOptions>>(),
                sp.GetService<ILoggerFactory>()));
        }

        return new KvsMasterBuilder(services, callbacks);
    }

    private static IServiceCollection AddCore(IServiceCollection services, string sectionPath)
    {
        var validator = new KvsWebRtcOptionsValidator(sectionPath);
        services.AddOptions<KvsWebRtcOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KvsWebRtcOptions>>(validator));
        services.AddHttpClient(KvsWebRtcOptions.HttpClientName)
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan); // deadlines are the clients' own, per call

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new SigV4Signer(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => KvsCredentialsFactory.Create(Options(sp), validator.SectionPath));
        services.TryAddSingleton(sp =>
        {
            var options = Options(sp);
            return new KinesisVideoClient(new KinesisVideoClientOptions
            {
                Region = options.Region!,
                Credentials = sp.GetRequiredService<IAwsCredentialsProvider>(),
                ServiceUrl = string.IsNullOrEmpty(options.ServiceUrl) ? null : new Uri(options.ServiceUrl, UriKind.Absolute),
                HttpClient = sp.GetRequiredService<IHttpClientFactory>().CreateClient(KvsWebRtcOptions.HttpClientName),
                Signer = sp.GetRequiredService<SigV4Signer>(),
                TimeProvider = sp.GetRequiredService<TimeProvider>(),
                LoggerFactory = sp.GetService<ILoggerFactory>(),
            });
        });
        services.TryAddSingleton(sp => new KvsChannelFactory(
            sp.GetRequiredService<IOptionsMonitor<KvsWebRtcOptions>>(),
            sp.GetRequiredService<IAwsCredentialsProvider>(),
            sp.GetRequiredService<SigV4Signer>(),
            sp.GetRequiredService<IHttpClientFactory>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>(),
            sp.GetService<IMeterFactory>()));
        return services;
    }

    private static KvsWebRtcOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<KvsWebRtcOptions>>().Value;
}
