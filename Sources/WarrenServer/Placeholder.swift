// WarrenServer
