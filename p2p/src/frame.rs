//! Frames on a stream: a 4-byte big-endian length, then that many bytes. A frame longer than
//! the reader allows is refused before it is read; an empty frame marks the end of a body.

use futures::{AsyncReadExt, AsyncWriteExt};

/// Why a frame could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
	/// The stream failed or closed in the middle of a frame.
	#[error("the stream: {0}")]
	Io(#[from] std::io::Error),
	/// The frame is longer than allowed.
	#[error("a frame of {length} bytes; at most {most} are read")]
	TooLong {
		/// Its length.
		length: usize,
		/// The most allowed.
		most: usize,
	},
}

/// Writes `bytes` as one frame.
pub async fn write(
	stream: &mut (impl futures::AsyncWrite + Unpin),
	bytes: &[u8],
) -> Result<(), FrameError> {
	let length = u32::try_from(bytes.len())
		.map_err(|_| FrameError::TooLong { length: bytes.len(), most: u32::MAX as usize })?;
	stream.write_all(&length.to_be_bytes()).await?;
	stream.write_all(bytes).await?;
	stream.flush().await?;
	Ok(())
}

/// Reads one frame of at most `most` bytes; `None` when the stream ended before one began.
pub async fn read(
	stream: &mut (impl futures::AsyncRead + Unpin),
	most: usize,
) -> Result<Option<Vec<u8>>, FrameError> {
	let mut length = [0u8; 4];
	match stream.read_exact(&mut length).await {
		Ok(()) => {},
		Err(error) if error.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
		Err(error) => return Err(error.into()),
	}
	let length = u32::from_be_bytes(length) as usize;
	if length > most {
		return Err(FrameError::TooLong { length, most });
	}
	let mut bytes = vec![0u8; length];
	stream.read_exact(&mut bytes).await?;
	Ok(Some(bytes))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[tokio::test]
	async fn frames_read_back_and_long_ones_are_refused_unread() {
		let mut wire = Vec::new();
		let mut cursor = futures::io::Cursor::new(&mut wire);
		write(&mut cursor, b"hello").await.unwrap();
		write(&mut cursor, b"").await.unwrap();
		write(&mut cursor, &[7u8; 100]).await.unwrap();
		let mut reader = futures::io::Cursor::new(wire);
		assert_eq!(read(&mut reader, 16).await.unwrap(), Some(b"hello".to_vec()));
		assert_eq!(read(&mut reader, 16).await.unwrap(), Some(Vec::new()));
		assert!(matches!(
			read(&mut reader, 16).await,
			Err(FrameError::TooLong { length: 100, most: 16 })
		));
		let mut empty = futures::io::Cursor::new(Vec::new());
		assert_eq!(read(&mut empty, 16).await.unwrap(), None);
	}
}
