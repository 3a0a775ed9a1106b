//! The aggregation error: messages, sources, and what it can cross.

use std::error::Error as _;
use std::time::Duration;

use dashboard::{Error, ServiceKind};

#[test]
fn messages_are_lowercase_without_a_trailing_period() {
    let errors = [
        Error::DeadlineExceeded {
            timeout: Duration::from_millis(1500),
        },
        Error::Cancelled,
        Error::Service {
            service: ServiceKind::Order,
            source: "connection refused".into(),
        },
    ];

    let messages = errors.map(|error| error.to_string());

    assert_eq!(
        messages,
        [
            "deadline exceeded after 1.5s",
            "cancelled by the caller",
            "order service failed"
        ]
    );
}

#[test]
fn a_service_failure_keeps_the_services_error_as_its_source() {
    let cause = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
    let error = Error::Service {
        service: ServiceKind::Profile,
        source: cause.into(),
    };

    let source = error.source().expect("a service failure has a source");

    assert_eq!(source.to_string(), "connection refused");
    let io = source
        .downcast_ref::<std::io::Error>()
        .expect("the source is the service's error");
    assert_eq!(io.kind(), std::io::ErrorKind::ConnectionRefused);
}

#[test]
fn deadlines_and_cancellations_have_no_source() {
    assert!(
        Error::DeadlineExceeded {
            timeout: Duration::from_secs(1)
        }
        .source()
        .is_none()
    );
    assert!(Error::Cancelled.source().is_none());
}

#[test]
fn errors_can_cross_threads_and_be_boxed() {
    fn assert_thread_safe<T: Send + Sync + 'static>() {}
    assert_thread_safe::<Error>();

    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(Error::Cancelled);
    assert_eq!(boxed.to_string(), "cancelled by the caller");
}
