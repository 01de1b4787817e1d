print("mnistbook")
