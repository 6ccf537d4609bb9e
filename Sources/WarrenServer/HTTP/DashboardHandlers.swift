/// The dashboard: one static page, its stylesheet and its script, embedded
/// in the binary (no build step, nothing fetched from elsewhere). The page
/// itself needs no credentials; it asks for them and sends them with every
/// API call it makes.
enum DashboardHandlers {
    static var routes: [Route] { [
        Route("GET", "", authenticated: false) { _ throws(HTTPFailure) in page(DashboardPage.html, "text/html; charset=utf-8") },
        Route("GET", "index.html", authenticated: false) { _ throws(HTTPFailure) in
            page(DashboardPage.html, "text/html; charset=utf-8")
        },
        Route("GET", "static/dashboard.css", authenticated: false) { _ throws(HTTPFailure) in
            page(DashboardStyle.css, "text/css; charset=utf-8")
        },
        Route("GET", "static/dashboard.js", authenticated: false) { _ throws(HTTPFailure) in
            page(DashboardScript.core + DashboardScript.views + DashboardScript.forms, "text/javascript; charset=utf-8")
        },
        Route("GET", "favicon.ico", authenticated: false) { _ throws(HTTPFailure) in .noContent },
    ] }

    /// Only this origin's own script and stylesheet; no inline script, no framing.
    static let contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

    private static func page(_ text: String, _ type: String) -> HTTPResponse {
        HTTPResponse(status: 200, headers: [("Content-Type", type), ("Cache-Control", "no-cache"),
                                            ("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"),
                                            ("Content-Security-Policy", contentSecurityPolicy)],
                     body: Array(text.utf8))
    }
}
