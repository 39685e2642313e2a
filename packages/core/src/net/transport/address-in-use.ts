/**
 * bind(2)/listen(2) failing with EADDRINUSE: the port is taken on that host. Apps treat it as the real ones do
 * (nginx logs `bind() to 0.0.0.0:80 failed (98: Address already in use)` and exits 1), rather than as a defect.
 */
export class AddressInUseError extends Error {
  override readonly name = "AddressInUseError"
}
