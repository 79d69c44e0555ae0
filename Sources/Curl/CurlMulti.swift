// Internal: no libcurl type or symbol reaches the modules that import Curl.
internal import CCurl

/// A libcurl multi handle: many easy transfers driven by one thread, with no thread per request.
///
/// Final, non-Sendable, single owner, freed in `deinit`. It keeps every easy handle added to it alive until
/// that handle is removed (libcurl points to it meanwhile).
public final class CurlMulti {
    private let handle: UnsafeMutableRawPointer
    private var added: [UnsafeMutableRawPointer: CurlEasy] = [:]

    /// A new multi handle, or nil when libcurl cannot be initialised.
    public init?() {
        guard Curl.isInitialized, let m = curl_multi_init() else { return nil }
        handle = m
    }

    deinit {
        for easyHandle in added.keys { curl_multi_remove_handle(handle, easyHandle) }
        curl_multi_cleanup(handle)
    }

    /// Starts `easy` on this multi handle.
    public func add(_ easy: CurlEasy) throws(CurlMultiError) {
        let code = curl_multi_add_handle(handle, easy.handle)
        guard code == CURLM_OK else { throw CurlMultiError(code, function: "curl_multi_add_handle") }
        added[easy.handle] = easy
    }

    /// Stops `easy` (finished or not) and lets it go.
    public func remove(_ easy: CurlEasy) {
        guard added.removeValue(forKey: easy.handle) != nil else { return }
        curl_multi_remove_handle(handle, easy.handle)
    }

    /// Moves every transfer forward as far as it can without blocking; returns how many are still running.
    @discardableResult
    public func perform() -> Int {
        var running: Int32 = 0
        _ = curl_multi_perform(handle, &running)
        return Int(running)
    }

    /// Waits until a transfer's socket has activity or `milliseconds` have passed.
    public func poll(timeoutMilliseconds milliseconds: Int) {
        var ready: Int32 = 0
        _ = curl_multi_poll(handle, nil, 0, Int32(clamping: milliseconds), &ready)
    }

    /// The transfers that ended since the last call, with their result codes. They stay added until `remove`.
    public func completed() -> [(easy: CurlEasy, code: CurlCode)] {
        var done: [(easy: CurlEasy, code: CurlCode)] = []
        var left: Int32 = 0
        while let message = curl_multi_info_read(handle, &left) {
            guard message.pointee.msg == CURLMSG_DONE, let easyHandle = message.pointee.easy_handle,
                let easy = added[easyHandle]
            else { continue }
            done.append((easy, CurlCode(message.pointee.data.result)))
        }
        return done
    }
}
