// WarrenClient
