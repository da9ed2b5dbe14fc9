#!/usr/bin/env python3
"""The attendances and requests plugins end to end against a release `conton serve`, through the
Python reference client over real TLS, by staff and by two client logins activated from their real
access e-mails (aiosmtpd):

- staff open an attendance for a client with a first message and an internal note; the client
  sees it with one unread message and never the note, replies, and the office sees its reply
  unread;
- the client opens a request from its area; staff turn it into a linked attendance;
- staff ask for documents; the client uploads a file for one item and answers "nada a enviar" for
  the rest, and the request is done; the request's e-mail reached the SMTP server;
- the other client reaches none of it (NOT_FOUND).

Usage: attendances_scenarios.py PATH/TO/conton
"""
import shutil
import tempfile

from aiosmtpd.controller import Controller

from conton_client import Channel, StatusCode
from conton_client.gen.conton.attendances.v1 import attendances_pb2 as A
from conton_client.gen.conton.clients.v1 import clients_pb2
from conton_client.gen.conton.files.v1 import files_pb2
from conton_client.gen.conton.requests.v1 import requests_pb2 as R
from conton_e2e import OWNER_ENV, Sink, activate, free_port, refused, run_scenarios, running, token_for, wait_for

AS = "conton.attendances.v1.Attendances/"
RS = "conton.requests.v1.Requests/"


def attendances_and_requests_by_staff_and_client():
    sink = Sink()
    smtp_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    data = tempfile.mkdtemp(prefix="conton-attendances-")
    try:
        with running(data, dict(OWNER_ENV, CONTON_SMTP_URL="smtp://127.0.0.1:%d?tls=none" % smtp_port)) as (proc, port, _):
            ca = data + "/tls/ca.pem"
            staff = Channel("127.0.0.1", port, ca, token=token_for(data, port))
            people = {}
            for name, document, email in [("Joana Araújo", "529.982.247-25", "joana@example.com"),
                                          ("Outro Cliente", "111.444.777-35", "outro@example.com")]:
                request = clients_pb2.CreateClientRequest()
                request.client.person_type = clients_pb2.PERSON_TYPE_INDIVIDUAL
                request.client.name, request.client.document, request.client.email = name, document, email
                request.access.send_access_email = True
                people[email] = staff.unary("conton.clients.v1.Clients/CreateClient", request,
                                            response_class=clients_pb2.CreateClientResponse).client
            joana = people["joana@example.com"]
            joana_ch = Channel("127.0.0.1", port, ca, token=activate(sink, data, port, "joana@example.com", ca))
            other_ch = Channel("127.0.0.1", port, ca, token=activate(sink, data, port, "outro@example.com", ca))

            # An attendance the client may see, with the office's first message and an internal note.
            opening = A.OpenAttendancesRequest(client_ids=[joana.id])
            opening.attendance.subject = "Dúvida sobre o IRPF"
            opening.attendance.channel = A.CHANNEL_PHONE
            opening.attendance.department = A.DEPARTMENT_FISCAL
            opening.attendance.visible_to_client = True
            opening.first_message.text = "Conforme conversamos, precisamos dos informes de rendimentos."
            attendance = staff.unary(AS + "OpenAttendances", opening, response_class=A.OpenAttendancesResponse).attendances[0]
            note = A.PostAttendanceMessageRequest(attendance_id=attendance.id)
            note.message.text = "Cliente esqueceu os informes no ano passado."
            note.message.internal = True
            note.message.minutes = 10
            staff.unary(AS + "PostAttendanceMessage", note, response_class=A.PostAttendanceMessageResponse)

            listed = joana_ch.unary(AS + "ListAttendances", A.ListAttendancesRequest(), response_class=A.ListAttendancesResponse)
            assert [(a.id, a.messages, a.unread, a.minutes) for a in listed.attendances] == [(attendance.id, 1, 1, 0)], listed
            thread = joana_ch.unary(AS + "ListAttendanceMessages", A.ListAttendanceMessagesRequest(attendance_id=attendance.id),
                                    response_class=A.ListAttendanceMessagesResponse).messages
            assert [m.text for m in thread] == ["Conforme conversamos, precisamos dos informes de rendimentos."], thread
            reply = A.PostAttendanceMessageRequest(attendance_id=attendance.id)
            reply.message.text = "Envio amanhã."
            joana_ch.unary(AS + "PostAttendanceMessage", reply, response_class=A.PostAttendanceMessageResponse)
            sneaky = A.PostAttendanceMessageRequest(attendance_id=attendance.id)
            sneaky.message.text = "nota"
            sneaky.message.internal = True
            assert refused(lambda: joana_ch.unary(AS + "PostAttendanceMessage", sneaky, response_class=bytes)) == StatusCode.PERMISSION_DENIED
            office = staff.unary(AS + "GetAttendance", A.GetAttendanceRequest(attendance_id=attendance.id), response_class=A.GetAttendanceResponse)
            assert office.attendance.messages == 3 and office.attendance.minutes == 10, office

            # A request from the client's area, turned into a linked attendance.
            types = joana_ch.unary(RS + "ListRequestTypes", R.ListRequestTypesRequest(), response_class=R.ListRequestTypesResponse).request_types
            create = R.CreateRequestRequest(type_id=next(t.id for t in types if t.name == "Certidão"), subject="CND federal")
            create.message.text = "Preciso da certidão negativa para uma licitação."
            asked = joana_ch.unary(RS + "CreateRequest", create, response_class=R.CreateRequestResponse).request
            assert asked.client_id == joana.id and asked.kind == R.REQUEST_KIND_FROM_CLIENT, asked
            converted = staff.unary(RS + "ConvertToAttendance", R.ConvertToAttendanceRequest(request_id=asked.id, department="fiscal"),
                                    response_class=R.ConvertToAttendanceResponse).request
            linked = joana_ch.unary(AS + "GetAttendance", A.GetAttendanceRequest(attendance_id=converted.attendance_id),
                                    response_class=A.GetAttendanceResponse).attendance
            assert linked.origin == "request %d" % asked.number and linked.channel == A.CHANNEL_PORTAL, linked

            # Documents the office asks for: a file for one item, "nada a enviar" for the rest.
            ask = R.RequestDocumentsRequest(client_id=joana.id, subject="IRPF 2027")
            ask.items.add(description="Informe de rendimentos do banco", due_date="2027-02-28")
            ask.items.add(description="Recibos médicos")
            documents = staff.unary(RS + "RequestDocuments", ask, response_class=R.RequestDocumentsResponse).request
            assert wait_for(lambda: [m for r, m in sink.messages if r == ["joana@example.com"] and m["subject"].startswith("Solicitação nº")]), \
                [m["subject"] for _, m in sink.messages]

            def upload():
                yield files_pb2.UploadRequest(metadata=files_pb2.UploadMetadata(file_name="informe.pdf", size=9))
                yield files_pb2.UploadRequest(chunk=b"%PDF-1.4 ")
            informe = joana_ch.client_stream("conton.files.v1.Files/Upload", upload(), response_class=files_pb2.UploadResponse).file
            answered = joana_ch.unary(RS + "AnswerItems", R.AnswerItemsRequest(request_id=documents.id, item_id=documents.items[0].id,
                                                                               file_ids=[informe.id]), response_class=R.AnswerItemsResponse).request
            assert answered.status == R.REQUEST_STATUS_OPEN and answered.items[0].status == R.ITEM_STATUS_SENT, answered
            done = joana_ch.unary(RS + "AnswerItems", R.AnswerItemsRequest(request_id=documents.id, nothing_to_send=True, note="Não tive"),
                                  response_class=R.AnswerItemsResponse).request
            assert done.status == R.REQUEST_STATUS_CLOSED and [i.status for i in done.items] == [R.ITEM_STATUS_SENT, R.ITEM_STATUS_NOTHING_TO_SEND], done

            # The other client reaches none of it.
            for method, request in [(AS + "GetAttendance", A.GetAttendanceRequest(attendance_id=attendance.id)),
                                    (AS + "ListAttendanceMessages", A.ListAttendanceMessagesRequest(attendance_id=attendance.id)),
                                    (RS + "GetRequest", R.GetRequestRequest(request_id=documents.id)),
                                    (RS + "ListRequestMessages", R.ListRequestMessagesRequest(request_id=asked.id))]:
                assert refused(lambda: other_ch.unary(method, request, response_class=bytes)) == StatusCode.NOT_FOUND, method
            assert not other_ch.unary(AS + "ListAttendances", A.ListAttendancesRequest(client_id=joana.id),
                                      response_class=A.ListAttendancesResponse).attendances
            for ch in (staff, joana_ch, other_ch):
                ch.close()
    finally:
        controller.stop()
        shutil.rmtree(data, ignore_errors=True)


run_scenarios(attendances_and_requests_by_staff_and_client)
