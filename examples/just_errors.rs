//! Go's errgroup example `JustErrors`, ported: fetch several URLs concurrently and return the
//! first error. The group replaces a `sync.WaitGroup` and an error variable.
//!
//! With no arguments, it starts an HTTP server of its own on 127.0.0.1 and fetches from it
//! twice: once where every URL answers, and once where one URL fails while a slow request is
//! still in flight, so you can see the failure cancel that request (the server says so too).
//! With URLs as arguments (plain `http://`), it fetches them and exits non-zero on the first
//! error.
//!
//! ```text
//! cargo run --example just_errors
//! cargo run --example just_errors -- http://127.0.0.1:8000/ http://127.0.0.1:8000/about
//! ```

use std::convert::Infallible;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use errgroup::{CancellationToken, Group};
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use tokio::time::Instant;

#[cfg(test)]
mod command_line;

/// An HTTP/1 client without TLS; cloning it is cheap, and clones share one connection pool.
type HttpClient = Client<HttpConnector, Empty<Bytes>>;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Why a fetch failed.
#[derive(Debug, thiserror::Error)]
enum FetchError {
    /// The server answered with a status other than a success. (Go's `http.Get` returns no
    /// error for a 404; here a page that is not there counts as a failure.)
    #[error("GET {url}: {status}")]
    Status { url: Uri, status: StatusCode },
    /// The request could not be sent, or its answer could not be read.
    #[error("GET {url} failed")]
    Transport {
        url: Uri,
        #[source]
        source: BoxError,
    },
    /// The group was cancelled before the answer came. The group never reports this: it keeps
    /// the error that caused the cancellation.
    #[error("GET {url}: cancelled")]
    Cancelled { url: Uri },
}

/// Fetches every URL concurrently, and returns the first error once every fetch has ended:
/// Go's `for _, url := range urls { g.Go(...) }; g.Wait()`.
async fn fetch_all(client: &HttpClient, urls: &[Uri]) -> Result<(), errgroup::Error<FetchError>> {
    let group = Group::new();
    for url in urls {
        // A task must own what it uses: it may outlive this loop. Cloning the client clones a
        // handle to the shared pool, not the pool; cloning the token lets the task watch it.
        let (client, url, token) = (client.clone(), url.clone(), group.token().clone());
        group.spawn(fetch(client, url, token));
    }
    // The first error cancels the group's token, which stops the fetches still in flight, so
    // the wait ends soon after the first failure rather than after the slowest request.
    group.wait().await?;
    Ok(())
}

/// Fetches `url` and reads the whole answer, unless `token` is cancelled first; prints the
/// outcome.
async fn fetch(client: HttpClient, url: Uri, token: CancellationToken) -> Result<(), FetchError> {
    let started = Instant::now();
    let get = async {
        let response = client.get(url.clone()).await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        Ok::<_, BoxError>((status, body.len()))
    };
    // Without this, the request would run to its end after a sibling failed, and `wait` would
    // wait for it. A cancelled request is dropped, which closes its connection: the server sees
    // the client hang up.
    let outcome = token.run_until_cancelled(get).await;
    let elapsed = started.elapsed();
    match outcome {
        Some(Ok((status, bytes))) if status.is_success() => {
            println!("   GET {url} -> {status}, {bytes} bytes, after {elapsed:.0?}");
            Ok(())
        }
        Some(Ok((status, _))) => {
            println!("   GET {url} -> {status}, after {elapsed:.0?}");
            Err(FetchError::Status { url, status })
        }
        Some(Err(source)) => {
            println!("   GET {url} -> failed after {elapsed:.0?}");
            Err(FetchError::Transport { url, source })
        }
        None => {
            println!("   GET {url} -> cancelled after {elapsed:.0?}");
            Err(FetchError::Cancelled { url })
        }
    }
}

fn http_client() -> HttpClient {
    Client::builder(TokioExecutor::new()).build_http()
}

/// How long the example's server takes to answer `/slow`.
const SLOW: Duration = Duration::from_secs(10);
/// How long it takes to say that `/missing` is not there.
const MISSING: Duration = Duration::from_millis(100);

/// Starts the example's HTTP server on 127.0.0.1 and returns its base URL, `http://IP:PORT`.
///
/// `/slow` answers after [`SLOW`], `/missing` is a 404 after [`MISSING`], and any other path
/// answers at once. The server runs until the program ends.
async fn start_server() -> std::io::Result<String> {
    // Port 0: the OS picks a free port, so the example never clashes with another program.
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                // An error here (the client hung up mid-answer) ends this connection only.
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service_fn(answer))
                    .await;
            });
        }
    });
    Ok(base)
}

/// Answers one request after its path's delay. Hyper drops the answer's future if the client
/// hangs up first; [`Answering`] reports it then.
async fn answer(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = request.uri().path().to_owned();
    let (status, delay) = match path.as_str() {
        "/slow" => (StatusCode::OK, SLOW),
        "/missing" => (StatusCode::NOT_FOUND, MISSING),
        _ => (StatusCode::OK, Duration::ZERO),
    };
    let mut answering = Answering {
        path,
        started: Instant::now(),
        answered: false,
    };
    tokio::time::sleep(delay).await;
    answering.answered = true;
    let body = format!("you asked for {}\n", answering.path);
    let mut response = Response::new(Full::from(body));
    *response.status_mut() = status;
    Ok(response)
}

/// Reports, when dropped unanswered, that the client of `path` hung up before its answer was
/// ready.
struct Answering {
    path: String,
    started: Instant,
    answered: bool,
}

impl Drop for Answering {
    fn drop(&mut self) {
        if self.answered {
            return;
        }
        println!(
            "   server: the client of {} hung up after {:.0?}",
            self.path,
            self.started.elapsed()
        );
    }
}

/// Fetches URLs concurrently and fails on the first error, as Go's `JustErrors` does.
///
/// With no URLs, fetches from an HTTP server of its own, and shows a failure cancel a request in
/// flight.
#[derive(Debug, Parser)]
#[command(name = "just_errors")]
struct Args {
    /// The URLs to fetch, plain http:// only.
    urls: Vec<Uri>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let client = http_client();
    let outcome = if args.urls.is_empty() {
        demo(&client).await
    } else {
        fetch_given(&client, &args.urls).await
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", with_causes(&*error));
            ExitCode::FAILURE
        }
    }
}

/// Fetches the URLs given on the command line, as Go's example does.
async fn fetch_given(client: &HttpClient, urls: &[Uri]) -> Result<(), BoxError> {
    fetch_all(client, urls).await?;
    println!("Successfully fetched all URLs.");
    Ok(())
}

/// Fetches twice from a server of its own: every URL answers, then one fails.
async fn demo(client: &HttpClient) -> Result<(), BoxError> {
    let base = start_server().await?;
    println!(
        "serving {base}: /slow answers after {SLOW:?}, /missing is a 404 after {MISSING:?}, \
         any other path answers at once"
    );
    let stories = [
        (
            "every URL answers: the wait succeeds once all have",
            &["/", "/about"][..],
        ),
        (
            "/missing fails while /slow is in flight: the group cancels /slow and returns the 404",
            &["/", "/slow", "/missing"][..],
        ),
    ];
    for (number, (title, paths)) in (1..).zip(stories) {
        println!("\n{number}. {title}");
        let urls = paths
            .iter()
            .map(|path| format!("{base}{path}").parse())
            .collect::<Result<Vec<Uri>, _>>()?;
        let started = Instant::now();
        match fetch_all(client, &urls).await {
            Ok(()) => println!("   Successfully fetched all URLs."),
            Err(error) => println!("   error: {}", with_causes(&error)),
        }
        println!("   after {:.0?}", started.elapsed());
    }
    Ok(())
}

/// Formats `error` followed by its sources, as in
/// "GET http://127.0.0.1:1/ failed: client error (Connect): tcp connect error: Connection refused".
fn with_causes(error: &(dyn std::error::Error + 'static)) -> String {
    std::iter::successors(Some(error), |error| error.source())
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(": ")
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncReadExt;

    use super::*;

    fn urls(base: &str, paths: &[&str]) -> Vec<Uri> {
        paths
            .iter()
            .map(|path| format!("{base}{path}").parse().expect("a valid URL"))
            .collect()
    }

    #[test]
    fn answers_help_and_refuses_unknown_flags() {
        command_line::assert_help_and_unknown_flags::<Args>();
    }

    #[test]
    fn takes_urls_and_refuses_what_is_not_one() {
        let args =
            Args::try_parse_from(["just_errors", "http://127.0.0.1:8000/", "http://[::1]/a"]);
        let urls = args.expect("two URLs").urls;
        assert_eq!(urls, ["http://127.0.0.1:8000/", "http://[::1]/a"]);

        let error = command_line::refused::<Args>(&["http://127.0.0.1:8000/", "not a url"]);
        assert_eq!(error.exit_code(), 2);
        assert_eq!(
            command_line::first_line(&error),
            "error: invalid value 'not a url' for '[URLS]...': invalid uri character"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn succeeds_when_every_url_answers() {
        let base = start_server().await.expect("the server starts");
        let fetched = fetch_all(&http_client(), &urls(&base, &["/", "/about", "/slow"])).await;
        assert!(fetched.is_ok(), "{fetched:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn returns_the_failing_url_as_the_first_error() {
        let base = start_server().await.expect("the server starts");
        let urls = urls(&base, &["/", "/slow", "/missing"]);
        match fetch_all(&http_client(), &urls).await {
            Err(errgroup::Error::Task {
                error: FetchError::Status { url, status },
                ..
            }) => {
                assert_eq!(url.path(), "/missing");
                assert_eq!(status, StatusCode::NOT_FOUND);
            }
            other => panic!("expected the 404 of /missing, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn reports_a_request_that_cannot_be_sent() {
        // This client speaks plain HTTP only, so it refuses an https URL before connecting.
        let urls = ["https://127.0.0.1:1/".parse().expect("a valid URL")];
        match fetch_all(&http_client(), &urls).await {
            Err(errgroup::Error::Task {
                error: FetchError::Transport { url, .. },
                ..
            }) => assert_eq!(url.scheme_str(), Some("https")),
            other => panic!("expected a transport error, got {other:?}"),
        }
    }

    /// The server is a bare socket here, so the test sees exactly what the client does.
    #[tokio::test]
    async fn cancelling_drops_the_request_in_flight_and_closes_its_connection() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/slow", listener.local_addr().expect("an address"));
        let token = CancellationToken::new();
        let fetching = tokio::spawn(fetch(
            http_client(),
            url.parse().expect("a valid URL"),
            token.clone(),
        ));

        // The request arrives, and is never answered.
        let (mut socket, _) = listener.accept().await.expect("the client connects");
        let mut request = Vec::new();
        while !request.ends_with(b"\r\n\r\n") {
            let mut chunk = [0; 1024];
            let read = socket.read(&mut chunk).await.expect("read the request");
            assert_ne!(read, 0, "the client hung up before sending its request");
            request.extend_from_slice(&chunk[..read]);
        }
        assert!(request.starts_with(b"GET /slow HTTP/1.1\r\n"));

        token.cancel();
        let outcome = fetching.await.expect("the fetch does not panic");
        assert!(
            matches!(outcome, Err(FetchError::Cancelled { .. })),
            "{outcome:?}"
        );
        // The client closed the connection: the server reads the end of the stream.
        let read = socket.read(&mut [0; 1024]).await.expect("read");
        assert_eq!(read, 0);
    }
}
