/// The delivery side of mail builds on the queue side: code that imports ContonMail sees both.
@_exported import ContonMailQueue
