print("conton")
