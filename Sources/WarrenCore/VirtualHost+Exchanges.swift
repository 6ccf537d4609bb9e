import AMQPProtocol

extension VirtualHost {
    /// `exchange.declare`.
    ///
    /// In RabbitMQ's order: an unknown type is refused first (406, since
    /// RabbitMQ 3.13.3; it used to be 503), then the default exchange (403);
    /// a new name starting `amq.` is refused (403), but redeclaring an
    /// existing `amq.*` exchange with the same properties is fine; any
    /// difference in type, durable, auto_delete, internal or the
    /// `alternate-exchange` argument is 406. Passive declares skip all but
    /// the default-exchange check and answer 404 when it does not exist.
    @discardableResult
    public func declareExchange(name: String, type: String, passive: Bool = false, durable: Bool = false,
                                autoDelete: Bool = false, internal isInternal: Bool = false,
                                arguments: FieldTable = FieldTable()) throws(AMQPError) -> Exchange {
        if passive {
            guard !name.isEmpty else { throw .defaultExchangeRefused }
            return try existingExchange(name)
        }
        guard let kind = ExchangeType(rawValue: type) else { throw .unknownExchangeType(type) }
        guard !name.isEmpty else { throw .defaultExchangeRefused }
        if let existing = exchange(named: name) {
            try assertEquivalent(existing, type: kind, durable: durable, autoDelete: autoDelete,
                                 internal: isInternal, arguments: arguments)
            return existing
        }
        guard !name.hasReservedPrefix else { throw .reservedName(.exchange, name) }
        if let alternate = arguments["alternate-exchange"], alternate.stringValue == nil {
            throw .invalidArgumentType(alternate, argument: "alternate-exchange", .exchange, name, vhost: self.name)
        }
        let created = Exchange.make(name: name, type: kind, durable: durable, autoDelete: autoDelete,
                                    internal: isInternal, arguments: arguments,
                                    topicCacheCapacity: configuration.topicRouteCacheCapacity)
        exchangesByName[ExactKey(name)] = created
        recordDefinition(.exchangeDeclared(created))
        return created
    }

    private func assertEquivalent(_ exchange: Exchange, type: ExchangeType, durable: Bool, autoDelete: Bool,
                                  internal isInternal: Bool, arguments: FieldTable) throws(AMQPError) {
        let resource = exchange.name
        try Equivalence.assertField("type", current: exchange.type.rawValue, received: type.rawValue,
                                    .exchange, resource, vhost: name)
        try Equivalence.assertField("durable", current: exchange.isDurable, received: durable,
                                    .exchange, resource, vhost: name)
        try Equivalence.assertField("auto_delete", current: exchange.isAutoDelete, received: autoDelete,
                                    .exchange, resource, vhost: name)
        try Equivalence.assertField("internal", current: exchange.isInternal, received: isInternal,
                                    .exchange, resource, vhost: name)
        try Equivalence.assertArguments(["alternate-exchange"], current: exchange.arguments, received: arguments,
                                        .exchange, resource, vhost: name)
    }

    /// `exchange.delete`. Deleting a missing exchange succeeds, as in
    /// RabbitMQ since 3.x; the default exchange and any `amq.*` name are 403;
    /// `ifUnused` refuses (406) an exchange that is the source of a binding.
    public func deleteExchange(name: String, ifUnused: Bool = false) throws(AMQPError) {
        guard !name.isEmpty else { throw .defaultExchangeRefused }
        guard !name.hasReservedPrefix else { throw .systemExchangeDeletion(name, vhost: self.name) }
        guard let exchange = exchange(named: name) else { return }
        if ifUnused, !exchange.bindings.isEmpty { throw .inUse(.exchange, name, vhost: self.name) }
        removeExchange(exchange)
    }

    /// `exchange.bind`: routes what reaches `source` on to `destination` too.
    /// 403 for the default exchange at either end, 404 for a missing one
    /// (the source is checked first). Binding twice is harmless.
    public func bindExchange(destination: String, source: String, routingKey: String,
                             arguments: FieldTable = FieldTable()) throws(AMQPError) {
        guard !destination.isEmpty, !source.isEmpty else { throw .defaultExchangeRefused }
        let from = try existingExchange(source)
        let to = try existingExchange(destination)
        let binding = Binding(source: source, destination: .exchange(destination), routingKey: routingKey,
                              arguments: arguments)
        try from.validate(binding)
        addBinding(binding, from: from, to: .exchange(to))
    }

    /// `exchange.unbind`. Like RabbitMQ, unbinding what is not bound, or
    /// naming a missing exchange, succeeds.
    public func unbindExchange(destination: String, source: String, routingKey: String,
                               arguments: FieldTable = FieldTable()) throws(AMQPError) {
        guard !destination.isEmpty, !source.isEmpty else { throw .defaultExchangeRefused }
        guard let from = exchange(named: source), let to = exchange(named: destination) else { return }
        let binding = Binding(source: source, destination: .exchange(destination), routingKey: routingKey,
                              arguments: arguments)
        removeBinding(binding, from: from, to: .exchange(to))
        deleteIfAutoDeleteAndUnused([from])
    }

    // MARK: Binding bookkeeping

    func addBinding(_ binding: Binding, from source: Exchange, to destination: Destination) {
        guard source.addBinding(binding, to: destination) else { return }
        recordDefinition(.bound(binding))
        switch destination {
        case .queue(let queue): _ = queue.incomingBindings.insert(binding)
        case .exchange(let exchange): _ = exchange.incomingBindings.insert(binding)
        }
    }

    @discardableResult
    func removeBinding(_ binding: Binding, from source: Exchange, to destination: Destination) -> Bool {
        guard source.removeBinding(binding, from: destination) else { return false }
        recordDefinition(.unbound(binding))
        switch destination {
        case .queue(let queue): _ = queue.incomingBindings.remove(binding)
        case .exchange(let exchange): _ = exchange.incomingBindings.remove(binding)
        }
        return true
    }

    /// The object a binding leads to, while it exists.
    func resolve(_ destination: Binding.Destination) -> Destination? {
        switch destination {
        case .queue(let name): queueRegistry[name].map { .queue($0) }
        case .exchange(let name): exchange(named: name).map { .exchange($0) }
        }
    }

    /// Deletes an exchange with every binding from or to it.
    func removeExchange(_ exchange: Exchange) {
        var sources: [Exchange] = []
        detach(exchange, collectingSources: &sources)
        deleteIfAutoDeleteAndUnused(sources)
    }

    private func detach(_ exchange: Exchange, collectingSources sources: inout [Exchange]) {
        for binding in exchange.bindings {
            if let destination = resolve(binding.destination) {
                removeBinding(binding, from: exchange, to: destination)
            }
        }
        for binding in exchange.incomingBindings {
            if let source = self.exchange(named: binding.source) {
                removeBinding(binding, from: source, to: .exchange(exchange))
                sources.append(source)
            }
        }
        exchange.isDeleted = true
        exchangesByName[ExactKey(exchange.name)] = nil
        recordDefinition(.exchangeDeleted(exchange))
    }

    /// Deletes each auto-delete exchange left with no bindings as source, and
    /// any that this in turn leaves unused: a work list, not recursion.
    func deleteIfAutoDeleteAndUnused(_ candidates: [Exchange]) {
        var work = candidates
        while let exchange = work.popLast() {
            guard exchange.isAutoDelete, !exchange.isDeleted, exchange.bindings.isEmpty else { continue }
            detach(exchange, collectingSources: &work)
        }
    }
}
