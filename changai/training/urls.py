from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("", views.class_list, name="classes"),
    path("classes/new/", views.class_create, name="class_create"),
    path("classes/<int:trainingclass_pk>/", views.class_detail, name="class_detail"),
    path("classes/<int:trainingclass_pk>/edit/", views.class_edit, name="class_edit"),
    path("classes/<int:trainingclass_pk>/enrol/", views.class_enrol, name="class_enrol"),
    path("classes/<int:trainingclass_pk>/complete/", views.class_complete, name="class_complete"),
    path("classes/<int:trainingclass_pk>/import/", views.attendance_import, name="attendance_import"),
    path("classes/<int:trainingclass_pk>/sessions/new/", views.session_add, name="session_add"),
    path(
        "classes/<int:trainingclass_pk>/sessions/<int:trainingsession_pk>/",
        views.session_attendance,
        name="session_attendance",
    ),
    path(
        "classes/<int:trainingclass_pk>/sessions/<int:trainingsession_pk>/delete/",
        views.session_delete,
        name="session_delete",
    ),
    path(
        "classes/<int:trainingclass_pk>/enrolments/<int:enrolment_pk>/withdraw/",
        views.enrolment_withdraw,
        name="enrolment_withdraw",
    ),
    path(
        "classes/<int:trainingclass_pk>/enrolments/<int:enrolment_pk>/revoke/",
        views.enrolment_revoke,
        name="enrolment_revoke",
    ),
    path("courses/", views.course_list, name="courses"),
    path("courses/new/", views.course_create, name="course_create"),
    path("courses/<int:course_pk>/edit/", views.course_edit, name="course_edit"),
    path("upgrades/", views.upgrade_list, name="upgrades"),
    path("upgrades/new/", views.upgrade_create, name="upgrade_create"),
    path("upgrades/<int:educationupgrade_pk>/", views.upgrade_detail, name="upgrade_detail"),
    path("upgrades/<int:educationupgrade_pk>/edit/", views.upgrade_edit, name="upgrade_edit"),
    path("upgrades/<int:educationupgrade_pk>/pay/", views.upgrade_pay, name="upgrade_pay"),
    path("upgrades/<int:educationupgrade_pk>/graduate/", views.upgrade_graduate, name="upgrade_graduate"),
    path("upgrades/<int:educationupgrade_pk>/withdraw/", views.upgrade_withdraw, name="upgrade_withdraw"),
    path("scholarships/", views.payment_list, name="payments"),
]
