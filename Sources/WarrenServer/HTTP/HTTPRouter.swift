import AMQPProtocol
import WarrenCore

/// A handler's failure, already in the shape of the response to send.
struct HTTPFailure: Error {
    let response: HTTPResponse

    static let notFound: HTTPFailure = HTTPFailure(response: .notFound)
    static func badRequest(_ reason: String) -> HTTPFailure { HTTPFailure(response: .badRequest(reason)) }

    /// A broker error as RabbitMQ's management API reports it: 404 for a
    /// missing object, 400 with the AMQP reply text for the rest.
    init(_ error: AMQPError) {
        response = error.code == .notFound ? .notFound : .badRequest(error.text)
    }

    init(response: HTTPResponse) { self.response = response }
}

/// What a handler sees: the request, its decoded path parameters, the user
/// who sent it, and the server (the broker and the connections).
struct RequestContext {
    let request: HTTPRequest
    let parameters: [String]
    let user: User?
    let server: HTTPServer
    let peer: SocketAddress

    var broker: Broker { server.broker }

    /// Path parameter `index`, or "" (the route pattern decides how many there are).
    func parameter(_ index: Int) -> String { index < parameters.count ? parameters[index] : "" }

    /// The vhost named by path parameter `index`, or 404.
    func virtualHost(_ index: Int = 0) throws(HTTPFailure) -> VirtualHost {
        guard let vhost = broker.virtualHost(named: parameter(index)) else { throw .notFound }
        return vhost
    }

    /// The body as JSON; an empty body is an empty object.
    func jsonBody() throws(HTTPFailure) -> JSONValue {
        guard !request.body.isEmpty else { return .object([]) }
        do {
            return try JSONParser.parse(request.body)
        } catch {
            throw .badRequest(error.description)
        }
    }

    /// The body as a JSON object, or 400.
    func jsonObject() throws(HTTPFailure) -> JSONValue {
        let body = try jsonBody()
        guard case .object = body else { throw .badRequest("the body must be a JSON object") }
        return body
    }

    /// A boolean query parameter (`?if-unused=true`).
    func queryFlag(_ name: String) -> Bool { request.query[name] == "true" }
}

/// One endpoint: a method and a path pattern (`:name` segments are parameters).
struct Route {
    enum Segment: Equatable {
        case literal(String)
        case parameter
    }

    let method: String
    let segments: [Segment]
    let requiresAuthentication: Bool
    let handler: (RequestContext) throws(HTTPFailure) -> HTTPResponse

    init(_ method: String, _ pattern: String, authenticated: Bool = true,
         _ handler: @escaping (RequestContext) throws(HTTPFailure) -> HTTPResponse) {
        self.method = method
        self.segments = pattern.split(separator: "/").map { $0.hasPrefix(":") ? .parameter : .literal(String($0)) }
        self.requiresAuthentication = authenticated
        self.handler = handler
    }

    /// The parameters when `path` fits the pattern.
    func match(_ path: [String]) -> [String]? {
        guard path.count == segments.count else { return nil }
        var parameters: [String] = []
        for (segment, part) in zip(segments, path) {
            switch segment {
            case .literal(let literal): if literal != part { return nil }
            case .parameter: parameters.append(part)
            }
        }
        return parameters
    }
}

/// Maps requests to handlers, checking HTTP Basic credentials against the
/// broker's users (the AMQP ones; loopback-only users only from loopback).
struct HTTPRouter {
    private(set) var routes: [Route] = []

    mutating func add(_ more: [Route]) { routes.append(contentsOf: more) }

    /// Every endpoint Warren serves.
    static func management() -> HTTPRouter {
        var router = HTTPRouter()
        router.add(DashboardHandlers.routes)
        router.add(OverviewHandlers.routes)
        router.add(ConnectionHandlers.routes)
        router.add(ExchangeHandlers.routes)
        router.add(QueueHandlers.routes)
        router.add(BindingHandlers.routes)
        router.add(DefinitionHandlers.routes)
        router.add(MessageHandlers.routes)
        router.add(SimpleMessageHandlers.routes)
        router.add(MetricsHandler.routes)
        return router
    }

    func respond(to request: HTTPRequest, server: HTTPServer, peer: SocketAddress) -> HTTPResponse {
        guard let path = Self.pathSegments(request.path) else { return .badRequest("malformed percent-encoding in path") }
        let method = request.method == "HEAD" ? "GET" : request.method
        var allowed: [String] = []
        for route in routes {
            guard let parameters = route.match(path) else { continue }
            guard route.method == method else {
                allowed.append(route.method)
                continue
            }
            if route.requiresAuthentication, let refusal = Self.refuseCrossSite(request, method: method) {
                return refusal
            }
            var user: User?
            if route.requiresAuthentication {
                switch authenticate(request, broker: server.broker, peer: peer) {
                case .success(let authenticated): user = authenticated
                case .failure(let failure): return failure.response
                }
            }
            let context = RequestContext(request: request, parameters: parameters, user: user, server: server, peer: peer)
            do {
                return try route.handler(context)
            } catch {
                return error.response
            }
        }
        guard allowed.isEmpty else {
            var response = HTTPResponse.error(405, "method_not_allowed", "Method Not Allowed")
            response.headers.append(("Allow", Set(allowed).sorted().joined(separator: ", ")))
            return response
        }
        return .notFound
    }

    /// Guards against other web pages using credentials a browser has cached
    /// for this origin (cross-site request forgery): a browser's cross-site
    /// request, or one whose `Origin` is not this host, is 403; a body that
    /// is not declared JSON is 415 (an HTML form cannot declare it).
    static func refuseCrossSite(_ request: HTTPRequest, method: String) -> HTTPResponse? {
        if request.header("sec-fetch-site") == "cross-site" {
            return .error(403, "forbidden", "cross-site requests are refused")
        }
        if let origin = request.header("origin"), origin != "null", let host = request.header("host") {
            let originHost = origin.split(separator: "/", omittingEmptySubsequences: true).dropFirst().first
            guard originHost.map(String.init) == host else { return .error(403, "forbidden", "cross-origin requests are refused") }
        }
        if method == "POST" || method == "PUT", let type = request.header("content-type"),
           !type.lowercased().hasPrefix("application/json") {
            return .error(415, "unsupported_media_type", "request bodies must be application/json")
        }
        return nil
    }

    /// `/api/queues/%2F/q` as ["api", "queues", "/", "q"]: split on `/` first,
    /// then each part percent-decoded. A trailing slash is ignored.
    static func pathSegments(_ path: Substring) -> [String]? {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        if parts.last == "" { parts = parts.dropLast() }
        var segments: [String] = []
        for part in parts {
            guard let decoded = percentDecode(part) else { return nil }
            segments.append(decoded)
        }
        return segments
    }

    /// HTTP Basic against the broker's users. Without credentials: 401 with
    /// `WWW-Authenticate`; with wrong ones: 401 without it (so a browser page
    /// that sent them shows its own login form instead of the native prompt).
    private func authenticate(_ request: HTTPRequest, broker: Broker, peer: SocketAddress) -> Result<User, HTTPFailure> {
        guard let header = request.header("authorization") else {
            var response = HTTPResponse.error(401, "not_authorized", "Not_Authorized")
            response.headers.append(("WWW-Authenticate", "Basic realm=\"Warren Management\""))
            return .failure(HTTPFailure(response: response))
        }
        let refused = HTTPFailure(response: .error(401, "not_authorized", "Login failed"))
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic",
              let credentials = Base64.decode(String(parts[1]).trimmingSpaces()),
              let decoded = String(validating: credentials, as: UTF8.self),
              let colon = decoded.firstIndex(of: ":") else { return .failure(refused) }
        let name = String(decoded[..<colon])
        let password = String(decoded[decoded.index(after: colon)...])
        guard let user = broker.authenticate(username: name, password: password),
              peer.isLoopback || !user.loopbackOnly else { return .failure(refused) }
        return .success(user)
    }
}
