print("conton-protogen: not yet")
