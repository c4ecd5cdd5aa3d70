import CZlib
import Foundation

/// GZIP (RFC 1952) through the system zlib, as the Bitstring Status List requires.
enum Gzip {
  /// Compresses `data` into one GZIP member (zlib's defaults: mtime 0, so output is
  /// deterministic for the same input).
  static func compress(_ data: Data) throws(StatusListError) -> Data {
    var stream = z_stream()
    let initialised = deflateInit2_(
      &stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
      Int32(MemoryLayout<z_stream>.size))
    guard initialised == Z_OK else { throw .compression("deflateInit2 failed (\(initialised))") }
    defer { deflateEnd(&stream) }
    var input = [UInt8](data)
    var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(input.count))) + 64)
    let status = input.withUnsafeMutableBufferPointer { inputBuffer in
      output.withUnsafeMutableBufferPointer { outputBuffer in
        stream.next_in = inputBuffer.baseAddress
        stream.avail_in = uInt(inputBuffer.count)
        stream.next_out = outputBuffer.baseAddress
        stream.avail_out = uInt(outputBuffer.count)
        return deflate(&stream, Z_FINISH)
      }
    }
    guard status == Z_STREAM_END else { throw .compression("deflate did not finish (\(status))") }
    return Data(output.prefix(Int(stream.total_out)))
  }

  /// Decompresses exactly one GZIP member, refusing output larger than `limit` bytes and
  /// any bytes after the member.
  static func decompress(_ data: Data, limit: Int) throws(StatusListError) -> Data {
    var stream = z_stream()
    let initialised = inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
    guard initialised == Z_OK else { throw .compression("inflateInit2 failed (\(initialised))") }
    defer { inflateEnd(&stream) }
    var input = [UInt8](data)
    var result = Data()
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    var status: Int32 = Z_OK
    var failure: StatusListError?
    input.withUnsafeMutableBufferPointer { inputBuffer in
      stream.next_in = inputBuffer.baseAddress
      stream.avail_in = uInt(inputBuffer.count)
      while status == Z_OK {
        let produced: Int = chunk.withUnsafeMutableBufferPointer { chunkBuffer in
          stream.next_out = chunkBuffer.baseAddress
          stream.avail_out = uInt(chunkBuffer.count)
          status = inflate(&stream, Z_NO_FLUSH)
          return chunkBuffer.count - Int(stream.avail_out)
        }
        if status != Z_OK && status != Z_STREAM_END {
          failure = .compression(status == Z_BUF_ERROR ? "truncated GZIP data" : "inflate error \(status)")
          return
        }
        if result.count + produced > limit {
          failure = .tooLarge(limit: limit)
          return
        }
        result.append(contentsOf: chunk.prefix(produced))
        if status == Z_OK && produced == 0 && stream.avail_in == 0 {
          failure = .compression("truncated GZIP data")
          return
        }
      }
      if status == Z_STREAM_END && stream.avail_in != 0 {
        failure = .compression("\(stream.avail_in) unexpected bytes after the GZIP member")
      }
    }
    if let failure { throw failure }
    return result
  }
}
