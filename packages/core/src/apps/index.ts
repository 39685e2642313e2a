export { AppEnv, type AppTimer, type InFlightSource } from "./app-env"
export { type ServiceTime, ServiceTimeError, checkServiceTime, drawServiceTime, constantTime, parseServiceTime, serviceTimeMean } from "./service-time"
export { type HttpUrl, UrlError, parseHttpUrl } from "./url"
export { type HttpRequest, type HttpResponse, requestBytes, responseBytes } from "./http-message"
export {
  HttpServer,
  type HttpServerConfig,
  type HttpServerState,
  type HttpServerStats,
  NGINX_CLIENT_HEADER_TIMEOUT,
  NGINX_IMAGE_CONFIG,
  NGINX_KEEPALIVE_REQUESTS,
  NGINX_KEEPALIVE_TIMEOUT,
  NGINX_WORKER_CONNECTIONS,
} from "./http-server"
export { HttpClient, type HttpClientConfig, type HttpClientMode, type HttpClientStats, WGET_TIMEOUT } from "./http-client"
export type { ConnectionTuple, RequestLabeller, RequestTarget } from "./request-labeller"
export { RequestLoop, type RequestLoopOptions } from "./request-loop"
export { DNS_PORT, type DnsQueryCounters, StubResolverDriver, type StubResolverConfig } from "./stub-resolver-driver"
export { type DnsQueryMessage, type DnsResponseMessage, nameWireLength } from "./dns-wire"
export { DnsServer, type DnsServerConfig, type DnsServerStats, type DnsAnswerer, FORWARD, corednsAnswerer, zoneAnswerer } from "./dns-server"
