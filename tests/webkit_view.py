"""One WebKitGTK web view driven over stdin and stdout, for tests/webkit_oracle.py.

Run by the system Python, where python3-gi and gir1.2-webkit2-4.1 are (the project's own Python
cannot import them), under an X server (``xvfb-run``): the GTK build of WebKit has no headless
mode. It reads one JSON command a line and answers each with one JSON line, ``{"ok": result}``
or ``{"error": text}``:

- ``version``: WebKitGTK's and libsoup's versions;
- ``open`` (``http_proxy``, ``https_proxy``): a fresh web view in a context of its own with an
  ephemeral (private) data manager, so an empty cookie jar; every request through those proxies;
  TLS errors ignored (the test server's certificate is self-signed);
- ``navigate`` (``url``): a top-level load, answered when it finished or failed;
- ``call`` (``body``, ``arguments``): an async JavaScript function body in the page, its
  promise awaited, answered with its JSON value or its exception;
- ``jar``: every cookie of the context's jar, from its cookie manager (WebDriver's
  ``GET /cookie`` shows only the current URL's);
- ``close``: the view and its context gone.
"""

import json
import os
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Soup", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import GLib, Gtk, Soup, WebKit2  # noqa: E402

# Soup's SameSite policies by name; libsoup 3 shows an unspecified SameSite as None.
_SAME_SITE = {
    Soup.SameSitePolicy.NONE: "None",
    Soup.SameSitePolicy.LAX: "Lax",
    Soup.SameSitePolicy.STRICT: "Strict",
}


class View:
    def __init__(self, answer):
        self.answer = answer
        self.window = None
        self.view = None
        self.manager = None
        self.loading = False

    def version(self, command):
        webkit = WebKit2.get_major_version(), WebKit2.get_minor_version()
        webkit += (WebKit2.get_micro_version(),)
        soup = Soup.get_major_version(), Soup.get_minor_version(), Soup.get_micro_version()
        versions = {"webkit": webkit, "libsoup": soup}
        self.answer({"ok": {k: ".".join(map(str, v)) for k, v in versions.items()}})

    def open(self, command):
        self.close(None, quiet=True)
        self.manager = WebKit2.WebsiteDataManager.new_ephemeral()
        settings = WebKit2.NetworkProxySettings.new(None, [])
        settings.add_proxy_for_scheme("http", command["http_proxy"])
        settings.add_proxy_for_scheme("https", command["https_proxy"])
        self.manager.set_network_proxy_settings(WebKit2.NetworkProxyMode.CUSTOM, settings)
        self.manager.set_tls_errors_policy(WebKit2.TLSErrorsPolicy.IGNORE)
        context = WebKit2.WebContext(website_data_manager=self.manager)
        self.view = WebKit2.WebView(web_context=context)
        self.view.connect("load-changed", self._load_changed)
        self.view.connect("load-failed", self._load_failed)
        self.window = Gtk.OffscreenWindow()
        self.window.add(self.view)
        self.window.show_all()
        self.answer({"ok": True})

    def navigate(self, command):
        self.loading = True
        self.failure = None
        self.view.load_uri(command["url"])

    def _load_failed(self, view, event, uri, error):
        self.failure = error.message
        return False

    def _load_changed(self, view, event):
        if event == WebKit2.LoadEvent.FINISHED and self.loading:
            self.loading = False
            self.answer({"ok": {"failed": self.failure}})

    def call(self, command):
        arguments = GLib.Variant(
            "a{sv}", {k: GLib.Variant("s", v) for k, v in command["arguments"].items()}
        )
        self.view.call_async_javascript_function(
            command["body"], -1, arguments, None, None, None, self._called
        )

    def _called(self, view, result):
        try:
            value = view.call_async_javascript_function_finish(result)
        except GLib.Error as error:
            self.answer({"ok": {"exception": error.message}})
            return
        text = value.to_json(0) if not value.is_undefined() else "null"
        self.answer({"ok": {"value": json.loads(text)}})

    def jar(self, command):
        self.manager.get_cookie_manager().get_all_cookies(None, self._jar)

    def _jar(self, manager, result):
        cookies = manager.get_all_cookies_finish(result)
        self.answer({"ok": [self._cookie(cookie) for cookie in cookies]})

    @staticmethod
    def _cookie(cookie):
        expires = cookie.get_expires()
        return {
            "name": cookie.get_name(),
            "value": cookie.get_value(),
            "domain": cookie.get_domain(),
            "path": cookie.get_path(),
            "secure": cookie.get_secure(),
            "httponly": cookie.get_http_only(),
            "samesite": _SAME_SITE.get(cookie.get_same_site_policy()),
            "expiry": None if expires is None else expires.to_unix(),
        }

    def close(self, command, quiet=False):
        if self.window is not None:
            self.window.destroy()
        self.window = self.view = self.manager = None
        if not quiet:
            self.answer({"ok": True})


def main():
    # The answers go to a descriptor of their own: GTK and WebKit may write on stdout.
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)

    def answer(message):
        answers.write(json.dumps(message) + "\n")
        answers.flush()

    view = View(answer)
    commands = {
        "version": view.version,
        "open": view.open,
        "navigate": view.navigate,
        "call": view.call,
        "jar": view.jar,
        "close": view.close,
    }

    def read(channel, condition):
        line = sys.stdin.buffer.readline()
        if not line:
            Gtk.main_quit()
            return False
        command = json.loads(line)
        try:
            commands[command["op"]](command)
        except Exception as error:  # one command failed: say so, keep serving
            answer({"error": f"{type(error).__name__}: {error}"})
        return True

    GLib.io_add_watch(GLib.IOChannel.unix_new(0), GLib.IO_IN | GLib.IO_HUP, read)
    Gtk.main()


if __name__ == "__main__":
    main()
