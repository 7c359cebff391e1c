//! Server streams as [`NodeStream`]s: typed errors, and a clear end.
//!
//! A stream is opened without a time limit: LND (grpc-go) sends the response
//! headers only with the first message, so `SubscribeInvoices` with nothing
//! to replay stays "opening" until the next invoice settles.

use std::future::Future;

use futures::{StreamExt, TryStreamExt, stream};
use tonic::codec::Streaming;
use tonic::{Response, Status};

use super::error::{self, CallContext};
use crate::node::{NodeError, NodeStream};

/// Open a server stream and convert each message with `convert`.
pub(super) fn open<T, U>(
    ctx: CallContext,
    call: impl Future<Output = Result<Response<Streaming<T>>, Status>> + Send + 'static,
    convert: impl Fn(T) -> Result<U, NodeError> + Send + 'static,
) -> NodeStream<U>
where
    T: Send + 'static,
    U: Send + 'static,
{
    let opened = async move {
        let messages = call
            .await
            .map_err(|status| error::from_status(&status, &ctx))?
            .into_inner();
        Ok::<_, NodeError>(messages.map(move |message| match message {
            Ok(message) => convert(message),
            Err(status) => Err(error::from_stream_status(&status, &ctx)),
        }))
    };
    stream::once(opened).try_flatten().boxed()
}

/// End the stream after the first error or the first item `is_last` picks;
/// if the node closes it before that, yield `Disconnected(ended)` last.
pub(super) fn until<T: Send + 'static>(
    items: NodeStream<T>,
    is_last: fn(&T) -> bool,
    ended: &'static str,
) -> NodeStream<T> {
    stream::unfold((items, false), move |(mut items, done)| async move {
        if done {
            return None;
        }
        let (item, done) = match items.next().await {
            Some(Ok(item)) => {
                let last = is_last(&item);
                (Ok(item), last)
            }
            Some(Err(err)) => (Err(err), true),
            None => (Err(NodeError::Disconnected(ended.to_owned())), true),
        };
        Some((item, (items, done)))
    })
    .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect<T: Send + 'static>(
        items: Vec<Result<T, NodeError>>,
        is_last: fn(&T) -> bool,
    ) -> Vec<Result<T, NodeError>> {
        let stream = until(stream::iter(items).boxed(), is_last, "closed");
        futures::executor::block_on(stream.collect())
    }

    #[test]
    fn stops_at_the_last_item() {
        let got = collect(vec![Ok(1), Ok(5), Ok(2)], |n| *n == 5);
        assert_eq!(got, vec![Ok(1), Ok(5)]);
    }

    #[test]
    fn stops_at_the_first_error() {
        let got = collect(vec![Ok(1), Err(NodeError::Timeout), Ok(2)], |_| false);
        assert_eq!(got, vec![Ok(1), Err(NodeError::Timeout)]);
    }

    #[test]
    fn an_early_end_is_a_disconnect() {
        let got = collect(vec![Ok(1)], |_| false);
        assert_eq!(
            got,
            vec![Ok(1), Err(NodeError::Disconnected("closed".into()))]
        );
    }
}
