/// A message holding fields marked `[(conton.rpc.v1.office_internal) = true]` (staff's internal
/// remarks about a client), itself or in the messages it holds. `conton-protogen` generates the
/// conformance; the authorization interceptor calls it on every response message sent to a
/// client principal, so no handler has to remember.
public protocol OfficeInternalFields {
    /// Clears every office-internal field (to its default), here and in the messages held.
    mutating func clearOfficeInternalFields()
}
