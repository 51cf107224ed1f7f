//! The normalised model: one shape for every supported specification.

use portolan_apis::model::build_model;
use portolan_apis::{LoadLimits, RootDocument, check_definition};
use portolan_core::source::MemorySource;

fn model_of(files: &[(&str, &str)]) -> portolan_apis::model::ApiModel {
    let mut source = MemorySource::new();
    for (path, text) in files {
        source.insert(path, text.as_bytes());
    }
    let definition = check_definition(
        &source,
        RootDocument::File(files[0].0),
        LoadLimits::default(),
    );
    let (set, bundled) = definition.spec.expect("a supported spec");
    build_model(set.format, &set.version, &bundled.doc)
}

#[test]
fn swagger_2_body_and_form_parameters_become_request_bodies() {
    let model = model_of(&[(
        "swagger.yaml",
        r##"swagger: "2.0"
info: {title: Pets, version: "1"}
host: pets.example.com
basePath: /v1
schemes: [https]
consumes: [application/json]
produces: [application/json, application/xml]
paths:
  /pets:
    post:
      operationId: addPet
      parameters:
        - {name: body, in: body, required: true, schema: {$ref: "#/definitions/Pet"}}
        - {name: X-Trace, in: header, type: string}
      responses:
        "200": {description: ok, schema: {$ref: "#/definitions/Pet"}}
  /pets/{id}/photo:
    post:
      consumes: [multipart/form-data]
      parameters:
        - {name: id, in: path, required: true, type: integer}
        - {name: file, in: formData, type: file, required: true}
        - {name: caption, in: formData, type: string}
      responses:
        "204": {description: stored}
definitions:
  Pet:
    type: object
    required: [name]
    properties:
      name: {type: string}
      tag: {type: string, x-nullable: true}
"##,
    )]);
    assert_eq!(model.servers[0].url, "https://pets.example.com/v1");
    let add = model
        .operations
        .iter()
        .find(|o| o.operation_id.as_deref() == Some("addPet"))
        .unwrap();
    assert_eq!(
        add.parameters.len(),
        1,
        "the body parameter moved to the request body"
    );
    let body = add.request_body.as_ref().unwrap();
    assert!(body.required);
    assert_eq!(body.content[0].media_type, "application/json");
    let schema_ref = body.content[0]
        .schema
        .as_ref()
        .unwrap()
        .reference
        .as_ref()
        .unwrap();
    assert_eq!(schema_ref.name.as_deref(), Some("Pet"));
    let ok = &add.responses[0];
    let media: Vec<&str> = ok.content.iter().map(|m| m.media_type.as_str()).collect();
    assert_eq!(media, vec!["application/json", "application/xml"]);

    let photo = model
        .operations
        .iter()
        .find(|o| o.path == "/pets/{id}/photo")
        .unwrap();
    let form = photo.request_body.as_ref().unwrap();
    assert_eq!(form.content[0].media_type, "multipart/form-data");
    let props = &form.content[0].schema.as_ref().unwrap().properties;
    assert_eq!(
        props
            .iter()
            .map(|p| (p.name.as_str(), p.required))
            .collect::<Vec<_>>(),
        vec![("file", true), ("caption", false)]
    );
    assert_eq!(props[0].schema.format.as_deref(), Some("binary"));

    let pet = &model
        .schemas
        .iter()
        .find(|s| s.name == "Pet")
        .unwrap()
        .schema;
    assert!(
        pet.properties
            .iter()
            .find(|p| p.name == "tag")
            .unwrap()
            .schema
            .nullable
    );
    assert!(
        pet.properties
            .iter()
            .find(|p| p.name == "name")
            .unwrap()
            .required
    );
}

#[test]
fn openapi_3_1_type_arrays_webhooks_and_path_level_parameters() {
    let model = model_of(&[(
        "openapi.yaml",
        r##"openapi: 3.1.0
info: {title: Orders, version: "2"}
servers:
  - url: https://{region}.api.example.com
    variables:
      region: {default: eu, enum: [eu, us]}
security: [{bearer: []}]
paths:
  /orders/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    get:
      tags: [orders]
      x-codeSamples:
        - {lang: curl, source: "curl https://eu.api.example.com/orders/1"}
      responses:
        "200":
          description: one order
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Order"}
webhooks:
  orderShipped:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Order"}
      responses:
        "200": {description: ack}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
  schemas:
    Order:
      type: object
      properties:
        note: {type: [string, "null"]}
        parent: {$ref: "#/components/schemas/Order"}
      discriminator:
        propertyName: kind
        mapping: {gift: "#/components/schemas/Order"}
"##,
    )]);
    assert_eq!(
        model.servers[0].variables["region"].enum_values,
        vec!["eu", "us"]
    );
    let get = &model.operations[0];
    assert_eq!(
        (get.method.as_str(), get.path.as_str()),
        ("get", "/orders/{id}")
    );
    assert_eq!(
        get.parameters[0].name, "id",
        "path-level parameters apply to the operation"
    );
    assert_eq!(
        get.security,
        Some(vec![vec!["bearer".to_string()]]),
        "root security is inherited"
    );
    assert_eq!(get.code_samples[0].lang, "curl");
    assert_eq!(model.webhooks[0].path, "orderShipped");
    let order = &model.schemas[0].schema;
    let note = &order
        .properties
        .iter()
        .find(|p| p.name == "note")
        .unwrap()
        .schema;
    assert_eq!(
        (note.types.clone(), note.nullable),
        (vec!["string".to_string()], true)
    );
    // Recursion stays a reference, not an expansion.
    let parent = &order
        .properties
        .iter()
        .find(|p| p.name == "parent")
        .unwrap()
        .schema;
    assert_eq!(
        parent.reference.as_ref().unwrap().name.as_deref(),
        Some("Order")
    );
    assert_eq!(
        order.discriminator.as_ref().unwrap().mapping["gift"],
        "#/components/schemas/Order"
    );
    assert_eq!(model.security_schemes[0].scheme_type, "http");
}

#[test]
fn asyncapi_2_and_3_share_channels_operations_and_messages() {
    let v2 = model_of(&[(
        "asyncapi.yaml",
        r##"asyncapi: 2.6.0
info: {title: Lights, version: "1"}
servers:
  prod: {url: "mqtt://broker.example.com", protocol: mqtt}
channels:
  light/measured:
    publish:
      operationId: receiveLight
      message: {$ref: "#/components/messages/LightMeasured"}
components:
  messages:
    LightMeasured:
      contentType: application/json
      payload: {type: object, properties: {lumens: {type: integer}}}
"##,
    )]);
    assert_eq!(v2.servers[0].protocol.as_deref(), Some("mqtt"));
    assert_eq!(v2.async_operations[0].action, "receive");
    assert_eq!(v2.async_operations[0].messages, vec!["LightMeasured"]);
    assert_eq!(v2.channels[0].messages, vec!["LightMeasured"]);

    let v3 = model_of(&[
        (
            "asyncapi.yaml",
            r##"asyncapi: 3.0.0
info: {title: Orders, version: "1"}
servers:
  prod: {host: kafka.example.com, protocol: kafka}
channels:
  orderCreated:
    address: orders.created
    messages:
      created: {$ref: "./messages.yaml#/OrderCreated"}
operations:
  publishOrder:
    action: send
    channel: {$ref: "#/channels/orderCreated"}
    messages: [{$ref: "#/channels/orderCreated/messages/created"}]
"##,
        ),
        (
            "messages.yaml",
            "OrderCreated:\n  name: OrderCreated\n  payload:\n    type: object\n",
        ),
    ]);
    assert_eq!(v3.servers[0].url, "kafka.example.com");
    assert_eq!(v3.channels[0].address.as_deref(), Some("orders.created"));
    let op = &v3.async_operations[0];
    assert_eq!(
        (op.action.as_str(), op.channel.as_str()),
        ("send", "orderCreated")
    );
    assert_eq!(v3.messages.len(), 1);
    assert!(v3.messages[0].payload.is_some());
}
